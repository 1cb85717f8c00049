using System.Reflection;
using Npgsql;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// The tables Pixerve needs in its PostgreSQL: Orleans' own (its official scripts, embedded unchanged) and the key
/// ring's. Each step is applied once and recorded in <c>pixerve_schema</c>; all missing steps run in one transaction
/// under an advisory lock, so when several silos start on an empty database together exactly one applies them and the
/// others find them applied. A database that has everything needs neither the lock nor DDL rights.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The advisory lock's key: "Pixerve" in ASCII, unlikely to be any other application's.</summary>
    public const long LockKey = 0x50697865727665;

    public const string VersionTable = "pixerve_schema";
    public const string KeyRingTable = "pixerve_data_protection_keys";

    /// <summary>One change to the database, in the order they are applied; versions are never renumbered.</summary>
    /// <param name="Table">A table the step creates: found already there (Orleans' scripts applied by hand), the step is recorded, not run.</param>
    public sealed record Step(int Version, string Name, string Table, string Sql);

    public static IReadOnlyList<Step> Steps { get; } =
    [
        new(1, "orleans-main", "orleansquery", Script("PostgreSQL-Main.sql")),
        new(2, "orleans-clustering", "orleansmembershiptable", Script("PostgreSQL-Clustering.sql")),
        new(3, "orleans-persistence", "orleansstorage", Script("PostgreSQL-Persistence.sql")),
        new(4, "orleans-reminders", "orleansreminderstable", Script("PostgreSQL-Reminders.sql")),
        new(5, "pixerve-data-protection-keys", KeyRingTable, $"""
            CREATE TABLE {KeyRingTable}
            (
                name text NOT NULL PRIMARY KEY,
                xml text NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ];

    /// <summary>What one call did with one step.</summary>
    public sealed record Applied(int Version, string Name, bool FoundInPlace);

    /// <summary>Applies the missing steps and answers what it applied (nothing when the database was up to date).</summary>
    public static async Task<IReadOnlyList<Applied>> EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Up to date: no lock taken, no DDL issued (a service without DDL rights runs on a database `migrate` prepared).
        if ((await AppliedVersionsAsync(connection, cancellationToken)).IsSupersetOf(Steps.Select(s => s.Version))) return [];

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {VersionTable}
            (
                version integer NOT NULL PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                found_in_place boolean NOT NULL DEFAULT false
            )
            """, cancellationToken);
        // Read again under the lock: another silo may have applied them while this one waited.
        var done = await AppliedVersionsAsync(connection, cancellationToken);
        var applied = new List<Applied>();
        foreach (var step in Steps.Where(s => !done.Contains(s.Version)))
        {
            var inPlace = await TableExistsAsync(connection, step.Table, cancellationToken);
            if (!inPlace) await ExecuteAsync(connection, step.Sql, cancellationToken);
            await using var record = new NpgsqlCommand(
                $"INSERT INTO {VersionTable} (version, name, found_in_place) VALUES (@version, @name, @inPlace)", connection);
            record.Parameters.AddWithValue("version", step.Version);
            record.Parameters.AddWithValue("name", step.Name);
            record.Parameters.AddWithValue("inPlace", inPlace);
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied.Add(new Applied(step.Version, step.Name, inPlace));
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        if (!await TableExistsAsync(connection, VersionTable, cancellationToken)) return versions;
        await using var command = new NpgsqlCommand($"SELECT version FROM {VersionTable}", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) versions.Add(reader.GetInt32(0));
        return versions;
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        command.Parameters.AddWithValue("table", table);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Script(string name)
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream($"Pixerve.Cluster.Postgres.Schema.{name}")
                           ?? throw new InvalidOperationException($"{name} is not embedded in {typeof(PostgresSchema).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
