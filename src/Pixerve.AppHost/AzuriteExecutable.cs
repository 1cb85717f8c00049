namespace Pixerve.AppHost;

/// <summary>
/// Azurite (the pinned npm package under <c>Azurite/</c>) as an executable resource: in memory, on ports DCP picks,
/// reached through Aspire's proxies. Its data lives as long as the AppHost runs.
/// </summary>
public static class AzuriteExecutable
{
    /// <summary>Azurite's well-known development account key (public, the same in every emulator).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static AzuriteResource AddAzurite(this IDistributedApplicationBuilder builder, string repository)
    {
        var executable = Path.Combine(repository, "Azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix Azurite' first");

        // Azurite refuses --location with --inMemoryPersistence, and writes its debug log only when given one.
        var azurite = builder.AddExecutable("azurite", executable, Path.GetTempPath())
            .WithHttpEndpoint(name: "blob")
            .WithHttpEndpoint(name: "queue")
            .WithHttpEndpoint(name: "table");
        var (blob, queue, table) = (azurite.GetEndpoint("blob"), azurite.GetEndpoint("queue"), azurite.GetEndpoint("table"));
        azurite.WithArgs(context =>
        {
            // --skipApiVersionCheck: the Azure SDK clients speak a newer API version than this emulator.
            context.Args.Add("--inMemoryPersistence");
            context.Args.Add("--skipApiVersionCheck");
            context.Args.Add("--disableProductStyleUrl");
            context.Args.Add("--silent");
            foreach (var (service, endpoint) in new[] { ("blob", blob), ("queue", queue), ("table", table) })
            {
                context.Args.Add($"--{service}Host");
                context.Args.Add("127.0.0.1");
                context.Args.Add($"--{service}Port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            }
        });
        // Healthy once both services Pixerve uses answer (an anonymous GET on the root is Azurite's 400).
        azurite.WithHttpHealthCheck("/", 400, "blob").WithHttpHealthCheck("/", 400, "table");

        // 127.0.0.1, not the endpoints' "localhost": the Azure SDK reads an account name from the path (Azurite's
        // style) only when the host is an IP address; with a host name it takes "devstoreaccount1" for a container.
        // Aspire's proxies listen on 127.0.0.1.
        var connectionString = ReferenceExpression.Create(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob.Property(EndpointProperty.Port)}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queue.Property(EndpointProperty.Port)}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table.Property(EndpointProperty.Port)}/devstoreaccount1;");
        return new AzuriteResource(azurite, connectionString);
    }
}

/// <summary>The Azurite executable and the connection string of its development account.</summary>
public sealed record AzuriteResource(IResourceBuilder<ExecutableResource> Resource, ReferenceExpression ConnectionString);
