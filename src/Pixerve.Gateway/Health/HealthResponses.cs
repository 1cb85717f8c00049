using System.Text.Json.Serialization;

namespace Pixerve.Gateway.Health;

/// <summary>The overall status for anyone; version, checks and backends (keys, endpoints, errors) for the admin token only.</summary>
public sealed record HealthResponse(
    string Status,
    DateTimeOffset Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Version = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Checks = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, BackendHealth>? Backends = null);

public sealed record VersionResponse(string Version, string? Commit, string Framework, string Orleans);
