using Npgsql;
using Pixerve.Cluster.Postgres;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// A silo on <c>Pixerve:Cluster:Provider = postgres</c> at start: a malformed connection string, a server that cannot
/// be reached or a refused login stop it with a message naming <c>Pixerve:Cluster:Postgres:ConnectionString</c> and
/// never its password; an empty database gets the schema from exactly one of two silos starting together; and
/// <c>migrate</c> applies the schema once, a second run changing nothing.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class PostgresStartTests(PostgresStartTests.Server server) : IClassFixture<PostgresStartTests.Server>
{
    private const string Key = "Pixerve:Cluster:Postgres:ConnectionString";
    private const string SecretPassword = "Sup3r-Secret-Passw0rd-9f8e7d";

    /// <summary>One PostgreSQL for the class; each test gets a database of its own.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public PostgresServer Postgres { get; private set; } = null!;
        public async Task InitializeAsync() => Postgres = await PostgresServer.StartAsync();
        public async Task DisposeAsync()
        {
            if (Postgres is not null) await Postgres.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["Pixerve:Cluster:Provider"] = "postgres",
        [Key] = connectionString,
        ["Pixerve:Cluster:Id"] = $"start-{Guid.NewGuid():N}",
        ["Pixerve:Webhooks:Secret"] = "a-valid-webhook-secret-0123456789abcdef",
    };

    public static TheoryData<string, string> Refused => new()
    {
        { "malformed", $"Host=127.0.0.1;Port=not-a-port;Username=pixerve;Password={SecretPassword}" },
        { "unknown keyword", $"Host=127.0.0.1;Password={SecretPassword};Colour=blue" },
        { "unreachable", $"Host=127.0.0.1;Port={ServerProcess.FreePort()};Username=pixerve;Password={SecretPassword};Timeout=3" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_bad_or_unreachable_connection_string_stops_the_silo_naming_its_key_not_its_password(string why, string connectionString)
    {
        await using var silo = SiloProcess.Start(Settings(connectionString));
        await Poll.UntilAsync(() => silo.HasExited, TimeSpan.FromMinutes(1), $"the silo to refuse a {why} connection string");
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains(Key, silo.Output);
        Assert.DoesNotContain(SecretPassword, silo.Output);
    }

    [Fact]
    public async Task A_refused_login_stops_the_silo_naming_its_key_not_its_password()
    {
        var database = await server.Postgres.CreateDatabaseAsync();
        var wrong = database.Replace($"Password={server.Postgres.Password}", $"Password={SecretPassword}");
        Assert.NotEqual(database, wrong);
        await using var silo = SiloProcess.Start(Settings(wrong));
        await Poll.UntilAsync(() => silo.HasExited, TimeSpan.FromMinutes(1), "the silo to stop on a refused login");
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains(Key, silo.Output);
        Assert.Contains("password authentication failed", silo.Output);
        Assert.DoesNotContain(SecretPassword, silo.Output);
    }

    [Fact]
    public async Task Migrate_applies_the_schema_and_a_second_migrate_changes_nothing()
    {
        var database = await server.Postgres.CreateDatabaseAsync();
        var first = await MigrateAsync(database);
        Assert.Contains("1 orleans-main: applied", first);
        Assert.Contains("5 pixerve-data-protection-keys: applied", first);
        var versions = await PostgresServer.QueryAsync<int>(database, "SELECT version FROM pixerve_schema ORDER BY version");
        Assert.Equal([1, 2, 3, 4, 5], versions);
        var appliedAt = await PostgresServer.QueryAsync<DateTime>(database, "SELECT applied_at FROM pixerve_schema ORDER BY version");
        // Orleans' tables and queries are in place: the ADO.NET providers read their SQL from OrleansQuery.
        var queries = await PostgresServer.QueryAsync<string>(database, "SELECT querykey FROM orleansquery");
        Assert.Contains("CleanupDefunctSiloEntriesKey", queries);
        Assert.Contains("WriteToStorageKey", queries);
        Assert.Contains("UpsertReminderRowKey", queries);

        var second = await MigrateAsync(database);
        Assert.Contains("nothing applied", second);
        Assert.DoesNotContain(": applied", second);
        Assert.Equal(appliedAt, await PostgresServer.QueryAsync<DateTime>(database, "SELECT applied_at FROM pixerve_schema ORDER BY version"));
        Assert.DoesNotContain(server.Postgres.Password, first + second);
    }

    [Fact]
    public async Task Two_silos_starting_together_on_an_empty_database_apply_the_schema_exactly_once()
    {
        // Both silo processes start at once (ProcessCluster starts them without waiting) on the cluster's new database.
        await using var cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Pixerve.Cluster.Postgres"] = "Information",
        }, provider: ClusterProvider.Postgres);
        var appliers = cluster.Silos.Where(s => s.Output.Contains("schema step 1 (orleans-main) applied")).ToList();
        Assert.Single(appliers);
        var rows = await PostgresServer.QueryAsync<int>(cluster.PostgresConnectionString, "SELECT version FROM pixerve_schema ORDER BY version");
        Assert.Equal([1, 2, 3, 4, 5], rows);
        Assert.Equal(2, (await cluster.ActiveSilosAsync()).Count);
    }

    [Fact]
    public async Task Two_migrations_at_once_wait_for_the_advisory_lock_and_one_applies_the_schema()
    {
        var database = await server.Postgres.CreateDatabaseAsync();
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresSchema.LockKey})", holder))
            await take.ExecuteNonQueryAsync();

        // While the test holds Pixerve's lock, both wait for it, and neither has created anything.
        await using var first = SiloProcess.Start(Settings(database), arguments: "migrate");
        await using var second = SiloProcess.Start(Settings(database), arguments: "migrate");
        await Poll.UntilAsync(async () => (await PostgresServer.QueryAsync<long>(database,
                $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {PostgresSchema.LockKey & 0xFFFFFFFF} AND NOT granted"))[0] == 2,
            TimeSpan.FromSeconds(30), "both migrations to wait for the advisory lock");
        Assert.Equal([false], await PostgresServer.QueryAsync<bool>(database, "SELECT to_regclass('orleansquery') IS NOT NULL"));

        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresSchema.LockKey})", holder))
            await release.ExecuteNonQueryAsync();
        await Poll.UntilAsync(() => first.HasExited && second.HasExited, TimeSpan.FromMinutes(1), "both migrations to finish");
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, $"migrate exited with {first.ExitCode} and {second.ExitCode}:\n{first.Output}\n{second.Output}");
        var outputs = new[] { first.Output, second.Output };
        Assert.Single(outputs, o => o.Contains("1 orleans-main: applied"));
        Assert.Single(outputs, o => o.Contains("nothing applied"));
        Assert.Equal([1, 2, 3, 4, 5], await PostgresServer.QueryAsync<int>(database, "SELECT version FROM pixerve_schema ORDER BY version"));
    }

    private static async Task<string> MigrateAsync(string connectionString)
    {
        await using var migrate = SiloProcess.Start(Settings(connectionString), arguments: "migrate");
        await Poll.UntilAsync(() => migrate.HasExited, TimeSpan.FromMinutes(1), "migrate to exit");
        Assert.True(migrate.ExitCode == 0, $"migrate exited with {migrate.ExitCode}: {migrate.Output}");
        return migrate.Output;
    }
}
