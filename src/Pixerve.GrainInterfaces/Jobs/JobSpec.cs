namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>What a job token asks for: the token's <c>job</c> claim (docs/http-api.md, "The job claim"), validated.</summary>
[GenerateSerializer, Alias("pixerve.JobSpec"), Immutable]
public sealed record JobSpec
{
    [Id(0)] public required IReadOnlyList<FormatRequest> Formats { get; init; }
    [Id(1)] public bool KeepOriginal { get; init; }
    [Id(2)] public IReadOnlyDictionary<string, string> StorageKeys { get; init; } = new Dictionary<string, string>();
    [Id(3)] public bool DirectHost { get; init; }
    [Id(4)] public string SubDir { get; init; } = "";
    [Id(5)] public string? CompletionCallback { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, string> CallbackHeaders { get; init; } = new Dictionary<string, string>();
    [Id(7)] public int Priority { get; init; }
}
