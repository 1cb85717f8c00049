namespace Pixerve.AppHost;

public static class PixerveResources
{
    /// <summary>A secret parameter, generated on first run (43 URL-safe characters, ≥ 32 bytes) and kept in user secrets.</summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 43, Special = false }, secret: true, persist: true);

    /// <summary>
    /// What silos and gateways share: the cluster (a membership table in the chosen store: Azurite's tables, or
    /// PostgreSQL's), the staging store (Azurite's blobs, or s3rver's bucket), the serve directory. Each process starts
    /// once its stores are up.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPixerveCluster(this IResourceBuilder<ProjectResource> project,
        ClusterStores stores, AppHostOptions settings)
    {
        if (stores.Azurite is { } azurite)
        {
            project.WithEnvironment("Pixerve__Storage__ConnectionString", azurite.ConnectionString).WaitFor(azurite.Resource);
        }

        if (stores.Postgres is { } postgres)
        {
            project.WithEnvironment("Pixerve__Cluster__Provider", "postgres")
                .WithEnvironment("Pixerve__Cluster__Postgres__ConnectionString", postgres.ConnectionString)
                .WaitFor(postgres.Resource);
        }

        if (stores.S3 is { } s3)
        {
            project.WithEnvironment("Pixerve__Staging__Provider", "s3")
                .WithEnvironment("Pixerve__Staging__S3__Bucket", S3rverExecutable.Bucket)
                .WithEnvironment("Pixerve__Staging__S3__ServiceUrl", s3.ServiceUrl)
                .WithEnvironment("Pixerve__Staging__S3__ForcePathStyle", "true")
                .WithEnvironment("Pixerve__Staging__S3__AccessKeyId", S3rverExecutable.AccessKeyId)
                .WithEnvironment("Pixerve__Staging__S3__SecretAccessKey", S3rverExecutable.SecretAccessKey)
                .WaitFor(s3.Resource);
        }

        return project
            .WithEnvironment("Pixerve__Cluster__Mode", "azure")
            .WithEnvironment("Pixerve__Cluster__Id", settings.ClusterId)
            .WithEnvironment("Pixerve__DataDir", settings.DataDir)
            // As the container image: glibc's malloc arenas capped at 2 (docs/operations.md, "Memory").
            .WithEnvironment("MALLOC_ARENA_MAX", "2")
            // The short PIXERVE_* variables win over Pixerve__* ones: a shell that sourced run.sh's secrets must not
            // hand them to the AppHost's processes (empty counts as unset).
            .WithEnvironment("PIXERVE_JWT_SECRET", "")
            .WithEnvironment("PIXERVE_ADMIN_TOKEN", "")
            .WithEnvironment("PIXERVE_WEBHOOK_SECRET", "")
            .WithEnvironment("PIXERVE_STORAGE_CONNECTION_STRING", "")
            .WithEnvironment("PIXERVE_DATA_DIR", "")
            .WithEnvironment("PIXERVE_SERVE_DIR", "");
    }
}

/// <summary>The stores a deployment pairs: Azurite alone, or PostgreSQL for the cluster with s3rver for staging.</summary>
public sealed record ClusterStores(AzuriteResource? Azurite, PostgresResource? Postgres, S3rverResource? S3);
