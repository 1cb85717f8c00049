using Microsoft.Extensions.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// <c>dotnet Pixerve.Silo.dll migrate</c>: applies the schema a silo would apply at start, with the same settings, and
/// exits; for operators who run the service with an account that may not create tables. Running it again changes nothing.
/// </summary>
public static class PostgresMigrateCommand
{
    public const string Name = "migrate";

    /// <summary>0 when the database is up to date afterwards; the reason on <paramref name="error"/> and 1 otherwise.</summary>
    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (configuration.ClusterProvider() != ClusterProvider.Postgres)
        {
            await error.WriteLineAsync($"migrate: Pixerve:Cluster:Provider is {configuration.ClusterProvider().ToString().ToLowerInvariant()}, " +
                                       "not postgres: there is no schema to apply");
            return 1;
        }

        try
        {
            var options = configuration.GetValidated<PostgresClusterOptions>(PostgresClusterOptions.Section);
            await using var store = new PostgresClusterStore(options);
            var applied = await store.PrepareAsync(cancellationToken);
            foreach (var step in applied)
                await output.WriteLineAsync($"{step.Version} {step.Name}: {(step.FoundInPlace ? "found in place, recorded" : "applied")}");
            await output.WriteLineAsync(applied.Count == 0
                ? $"PostgreSQL at {store.Description}: the schema is up to date (version {PostgresSchema.Steps[^1].Version}); nothing applied"
                : $"PostgreSQL at {store.Description}: schema at version {PostgresSchema.Steps[^1].Version}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await error.WriteLineAsync($"migrate: {e.Message}");
            return 1;
        }
    }
}
