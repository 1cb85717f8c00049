using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// Bound from <c>Pixerve:Cluster:Postgres</c> by silos and gateways when <c>Pixerve:Cluster:Provider</c> is
/// <c>postgres</c>. The connection string is checked when the process starts; what is said about it never includes
/// its password.
/// </summary>
public sealed class PostgresClusterOptions : IValidatableObject
{
    public const string Section = "Pixerve:Cluster:Postgres";
    public const string ConnectionStringKey = Pixerve.ServiceDefaults.ClusteringOptions.PostgresConnectionStringKey;

    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("is not set: the PostgreSQL of membership, grain state and reminders " +
                                              "(Host=…;Database=…;Username=…;Password=…)", [nameof(ConnectionString)]);
            yield break;
        }

        if (Problem(ConnectionString) is { } problem)
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
    }

    /// <summary>Why <paramref name="connectionString"/> is not a usable Npgsql connection string; null when it is.</summary>
    internal static string? Problem(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host)) return "names no Host";
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return $"is not a PostgreSQL connection string ({Redaction.Redact(e.Message, connectionString)})";
        }
    }
}
