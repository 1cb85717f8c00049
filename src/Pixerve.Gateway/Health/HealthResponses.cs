namespace Pixerve.Gateway.Health;

public sealed record HealthResponse(
    string Status,
    DateTimeOffset Timestamp,
    string Version,
    IReadOnlyDictionary<string, string> Checks,
    IReadOnlyDictionary<string, BackendHealth> Backends);

public sealed record VersionResponse(string Version, string? Commit, string Framework, string Orleans);
