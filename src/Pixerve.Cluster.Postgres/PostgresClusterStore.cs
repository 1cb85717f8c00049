using Npgsql;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// The cluster's PostgreSQL as Pixerve's own code reaches it (schema, key ring): one pool per process, made from
/// <see cref="PostgresClusterOptions"/>. Orleans' providers open their own connections from the same string.
/// </summary>
public sealed class PostgresClusterStore : IAsyncDisposable, IDisposable
{
    public PostgresClusterStore(PostgresClusterOptions options)
    {
        ConnectionString = options.ConnectionString!;
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        Description = $"{builder.Host}:{builder.Port}, database {builder.Database ?? builder.Username ?? "(default)"}";
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Where it is, for messages: host, port and database, never the password.</summary>
    public string Description { get; }

    /// <summary>
    /// Applies the missing schema (<see cref="PostgresSchema"/>), or stops the start with a message that names
    /// <c>Pixerve:Cluster:Postgres:ConnectionString</c>: the server cannot be reached, refuses the login, or the account
    /// may not create the tables.
    /// </summary>
    public async Task<IReadOnlyList<PostgresSchema.Applied>> PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using (await DataSource.OpenConnectionAsync(cancellationToken))
            {
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw new InvalidOperationException($"{PostgresClusterOptions.ConnectionStringKey}: PostgreSQL at {Description} cannot be " +
                                                $"reached or refused the login ({Messages(e)})");
        }

        try
        {
            return await PostgresSchema.EnsureAsync(DataSource, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException($"{PostgresClusterOptions.ConnectionStringKey}: Pixerve's tables in PostgreSQL at {Description} " +
                                                $"are missing and could not be created ({Messages(e)}); an account with DDL rights " +
                                                "creates them with `dotnet Pixerve.Silo.dll migrate`");
        }
    }

    /// <summary>The messages of an exception and its inner ones, without the password.</summary>
    private string Messages(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException) messages.Add(current.Message);
        return Redaction.Redact(string.Join(": ", messages.Distinct()), ConnectionString);
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>For a container disposed synchronously, which refuses a singleton that is only asynchronously disposable.</summary>
    public void Dispose() => DataSource.Dispose();
}
