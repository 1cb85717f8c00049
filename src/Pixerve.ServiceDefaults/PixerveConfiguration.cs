using Microsoft.Extensions.Configuration;

namespace Pixerve.ServiceDefaults;

/// <summary>Configuration names and readers shared by the silo and the gateway.</summary>
public static class PixerveConfiguration
{
    /// <summary>The blob container that holds uploads until their job is final.</summary>
    public const string StagingContainer = "pixerve-staging";

    /// <summary>The metadata entry of a staged upload that names the job it was staged for, so a sweep can tell who owns it.</summary>
    public const string StagedJobIdMetadata = "jobid";

    /// <summary>
    /// The metadata entry (Unix seconds) of a resumable upload's blob after which, unfinished and used by no job, the
    /// staging sweep removes it with its parts.
    /// </summary>
    public const string StagedExpiresMetadata = "expires";

    public const string StorageConnectionStringKey = StorageOptions.Section + ":ConnectionString";
    public const string ServeDirKey = PixerveOptions.Section + ":ServeDir";
    public const string DataDirKey = PixerveOptions.Section + ":DataDir";

    /// <summary>Grain state and reminders are stored under this name, whatever the clustering.</summary>
    public const string ServiceId = "pixerve";

    /// <summary>Azurite's well-known development account.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>
    /// Maps the short <c>PIXERVE_*</c> environment variables (the secrets and paths <c>run.sh</c>, the container image
    /// and the Kubernetes manifests set) onto configuration keys, so both spellings work.
    /// </summary>
    public static IConfigurationBuilder AddPixerveSeedVariables(this IConfigurationBuilder builder)
    {
        var map = new Dictionary<string, string?>();
        void Map(string variable, string key)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value)) map[key] = value;
        }

        Map("PIXERVE_JWT_SECRET", "Pixerve:Jwt:Secret");
        Map("PIXERVE_ADMIN_TOKEN", "Pixerve:AdminToken");
        Map("PIXERVE_WEBHOOK_SECRET", "Pixerve:Webhooks:Secret");
        Map("PIXERVE_CLUSTER_CLIENT_KEY", ClusterClientKey.ConfigurationKey);
        Map("PIXERVE_DATA_DIR", DataDirKey);
        Map("PIXERVE_SERVE_DIR", ServeDirKey);
        Map("PIXERVE_STORAGE_CONNECTION_STRING", StorageConnectionStringKey);
        return builder.AddInMemoryCollection(map);
    }

    /// <summary>
    /// True when silos find each other through a membership table in the cluster provider's store
    /// (<c>Pixerve:Cluster:Mode</c> <c>azure</c> or <c>kubernetes</c>), not one localhost silo.
    /// </summary>
    public static bool UsesMembershipTable(this IConfiguration configuration) =>
        configuration.ClusterMode() is ServiceDefaults.ClusterMode.Azure or ServiceDefaults.ClusterMode.Kubernetes;

    /// <summary>Where membership, grain state and reminders are kept (<c>Pixerve:Cluster:Provider</c>).</summary>
    public static ClusterProvider ClusterProvider(this IConfiguration configuration) =>
        configuration.GetValidated<ClusteringOptions>(ClusteringOptions.Section).Provider;

    public static ClusterMode ClusterMode(this IConfiguration configuration) =>
        configuration.GetValidated<ClusteringOptions>(ClusteringOptions.Section).Mode;

    /// <summary>Silos and gateways of one deployment share it; a second deployment in the same account picks another.</summary>
    public static string ClusterId(this IConfiguration configuration) =>
        configuration.GetValidated<ClusteringOptions>(ClusteringOptions.Section).Id;

    public static string StorageConnectionString(this IConfiguration configuration) =>
        configuration.GetValidated<StorageOptions>(StorageOptions.Section).ConnectionString;

    public static string DataDir(this IConfiguration configuration) =>
        configuration.GetValidated<PixerveOptions>(PixerveOptions.Section).FullDataDir;

    /// <summary>Where <c>directHost</c> outputs are written and served from.</summary>
    public static string ServeDir(this IConfiguration configuration) =>
        configuration.GetValidated<PixerveOptions>(PixerveOptions.Section).FullServeDir;

    public static string? AdminToken(this IConfiguration configuration) =>
        configuration.GetValidated<PixerveOptions>(PixerveOptions.Section).AdminToken is { Length: > 0 } token ? token : null;
}
