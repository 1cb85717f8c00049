using System.Reflection;
using Microsoft.Extensions.Options;
using Pixerve.Testing.Fixtures;
using Pixerve.Gateway.Hosting;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;

namespace Pixerve.Gateway.Tests;

/// <summary>Every setting is an options property, documented in docs/operations.md and checked when a process starts.</summary>
public sealed class ConfigurationTests
{
    /// <summary>Every <c>Section:Property</c> that a Pixerve options class binds (a class with a <c>Section</c> constant).</summary>
    public static IReadOnlyList<string> BoundKeys()
    {
        var assemblies = new Dictionary<string, Assembly>();
        void Load(Assembly assembly)
        {
            if (!assemblies.TryAdd(assembly.GetName().Name!, assembly)) return;
            foreach (var name in assembly.GetReferencedAssemblies().Where(n => n.Name!.StartsWith("Pixerve.", StringComparison.Ordinal)))
                Load(Assembly.Load(name));
        }

        Load(typeof(GatewayApp).Assembly);
        Load(typeof(Pixerve.Silo.Metrics.MetricsOptions).Assembly);
        return assemblies.Values
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section is not null && t.Section.StartsWith("Pixerve", StringComparison.Ordinal) && (t.Type.Name.EndsWith("Options", StringComparison.Ordinal) || t.Type.Name.EndsWith("Settings", StringComparison.Ordinal)))
            .SelectMany(t => t.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{t.Section}:{p.Name}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void Operations_doc_names_every_key_an_options_class_binds()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        var keys = BoundKeys();
        Assert.Contains("Pixerve:Jobs:ResumePeriod", keys);
        Assert.Contains("Pixerve:Staging:MaxAge", keys);
        var missing = keys.Where(key => !doc.Contains($"`{key}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"docs/operations.md does not name: {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("--Pixerve:Limits:MaxFilesPerUpload=0", "Pixerve:Limits:MaxFilesPerUpload")]
    [InlineData("--Pixerve:Cluster:Id=not an id!", "Pixerve:Cluster:Id")]
    [InlineData("--Pixerve:Gateway:GrainCallTimeout=00:00:00", "Pixerve:Gateway:GrainCallTimeout")]
    [InlineData("--Pixerve:Limits:MaxHeaderBytes=10", "Pixerve:Limits:MaxHeaderBytes")]
    [InlineData("--Pixerve:Limits:MaxSourcePixels=0", "Pixerve:Limits:MaxSourcePixels")]
    [InlineData("--Pixerve:Limits:MaxFrames=0", "Pixerve:Limits:MaxFrames")]
    [InlineData("--Pixerve:Limits:RefusedBodyDrainTime=00:20:00", "Pixerve:Limits:RefusedBodyDrainTime")]
    [InlineData("--Pixerve:Limits:MaxPendingJobsPerSubject=0", "Pixerve:Limits:MaxPendingJobsPerSubject")]
    [InlineData("--Pixerve:RateLimits:RefusedBodyBytesPerMinutePerIp=-1", "Pixerve:RateLimits:RefusedBodyBytesPerMinutePerIp")]
    [InlineData("--Pixerve:RateLimits:RefusedBodyDrainsPerIp=-1", "Pixerve:RateLimits:RefusedBodyDrainsPerIp")]
    // The postgres cluster provider without its connection string, or with one Npgsql cannot parse.
    [InlineData("--Pixerve:Cluster:Provider=postgres", "Pixerve:Cluster:Postgres:ConnectionString")]
    [InlineData("--Pixerve:Cluster:Provider=postgres\n--Pixerve:Cluster:Postgres:ConnectionString=Host=127.0.0.1;Port=x", "Pixerve:Cluster:Postgres:ConnectionString")]
    public void A_bad_value_stops_the_gateway_with_a_message_naming_its_key(string setting, string key)
    {
        var error = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", .. setting.Split('\n')]));
        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData("--Pixerve:Staging:Provider=ftp", "Pixerve:Staging:Provider")]
    [InlineData("--Pixerve:Staging:Provider=filesystem", "Pixerve:Staging:Filesystem:Root")]
    [InlineData("--Pixerve:Staging:Filesystem:Root=relative/folder", "Pixerve:Staging:Filesystem:Root")]
    public void A_bad_staging_setting_stops_the_gateway_with_a_message_naming_its_key(string setting, string key)
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", "--Pixerve:Staging:Provider=filesystem", .. setting.Split('\n')]));
        Assert.Contains(key, error.Message);
    }

    /// <summary>The S3 provider's settings are checked as the host starts (the provider is registered after the filesystem one's check).</summary>
    [Theory]
    [InlineData("", "Pixerve:Staging:S3:Bucket")]
    [InlineData("--Pixerve:Staging:S3:Bucket=Uploads_Bucket", "Pixerve:Staging:S3:Bucket")]
    [InlineData("--Pixerve:Staging:S3:Bucket=uploads\n--Pixerve:Staging:S3:ServiceUrl=ftp://store", "Pixerve:Staging:S3:ServiceUrl")]
    [InlineData("--Pixerve:Staging:S3:Bucket=uploads\n--Pixerve:Staging:S3:ForcePathStyle=yes", "Pixerve:Staging:S3:ForcePathStyle")]
    [InlineData("--Pixerve:Staging:S3:Bucket=uploads\n--Pixerve:Staging:S3:AccessKeyId=AKIAEXAMPLE", "Pixerve:Staging:S3:SecretAccessKey")]
    [InlineData("--Pixerve:Staging:S3:Bucket=uploads\n--Pixerve:Staging:S3:SecretAccessKey=wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY", "Pixerve:Staging:S3:AccessKeyId")]
    public async Task A_bad_s3_staging_setting_stops_the_gateway_at_start_naming_its_key_never_the_secret(string settings, string key)
    {
        await using var gateway = GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", "--Pixerve:Staging:Provider=s3",
             .. settings.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => gateway.StartAsync(deadline.Token));
        Assert.Contains(key, error.Message);
        Assert.DoesNotContain("wJalrXUtnFEMI", error.Message);
    }

    /// <summary>The values the repository's Secret once shipped, a guide's shapes, and short or non-random ones.</summary>
    public static TheoryData<string> UnusableSecrets() => new()
    {
        "REPLACE-with-at-least-32-random-bytes-for-job-tokens",
        "REPLACE-with-a-random-admin-token",
        "REPLACE-with-at-least-32-random-bytes-for-webhooks",
        "your-very-long-secret-value-goes-right-here",
        "changeme-changeme-changeme-changeme",
        "short-but-random-Zq8",
        "abababababababababababababababababab",
    };

    [Theory]
    [MemberData(nameof(UnusableSecrets))]
    public void A_placeholder_short_or_non_random_secret_stops_the_gateway_naming_its_key(string value)
    {
        var jwt = Assert.Throws<InvalidOperationException>(() => GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={value}", "--urls=http://127.0.0.1:0"]));
        Assert.Contains("Pixerve:Jwt:Secret", jwt.Message);

        var admin = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", $"--Pixerve:AdminToken={value}", "--urls=http://127.0.0.1:0"]));
        Assert.Contains("AdminToken", admin.Message);
        Assert.Contains("PIXERVE_ADMIN_TOKEN", admin.Message);

        var webhook = new Pixerve.Grains.Webhooks.WebhookOptions { Secret = value };
        Assert.Contains(webhook.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(webhook)),
            r => r.MemberNames.Contains(nameof(webhook.Secret)));
    }

    [Fact]
    public void A_generated_secret_is_accepted() =>
        Assert.Null(SecretRules.Problem(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
}
