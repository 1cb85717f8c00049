namespace Pixerve.AppHost;

/// <summary>
/// s3rver (the npm package the tests use, under <c>tests/servers</c>) as an executable resource: an S3 API with one
/// bucket for staging, its data in <c>{DataDir}/s3rver</c>, on a port DCP picks, reached through Aspire's proxy.
/// </summary>
public static class S3rverExecutable
{
    public const string Bucket = "pixerve-staging";

    /// <summary>s3rver's fixed development credentials (public, the same in every s3rver).</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";

    public static S3rverResource AddS3rver(this IDistributedApplicationBuilder builder, AppHostOptions settings)
    {
        var executable = Path.Combine(settings.Repository, "tests", "servers", "node_modules", ".bin", "s3rver");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix tests/servers' first");
        var data = Path.Combine(settings.DataDir, "s3rver");
        Directory.CreateDirectory(data);

        var s3 = builder.AddExecutable("s3rver", executable, data).WithHttpEndpoint(name: "http");
        var endpoint = s3.GetEndpoint("http");
        s3.WithArgs(context =>
        {
            foreach (var arg in new[] { "--directory", data, "--address", "127.0.0.1", "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket })
                context.Args.Add(arg);
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });
        // Its bucket listing answers 200 once it listens.
        s3.WithHttpHealthCheck("/", 200, "http");
        return new S3rverResource(s3, ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}"));
    }
}

/// <summary>The s3rver executable and its S3 service URL.</summary>
public sealed record S3rverResource(IResourceBuilder<ExecutableResource> Resource, ReferenceExpression ServiceUrl);
