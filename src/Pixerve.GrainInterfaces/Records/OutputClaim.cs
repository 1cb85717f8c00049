using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.GrainInterfaces.Records;

/// <summary>
/// One file name a job will write in one place, with what its bytes are made of. <paramref name="Location"/> is the
/// storage target and directory (<see cref="LocationOf"/>): the same name in another place is another file.
/// </summary>
[GenerateSerializer, Alias("pixerve.OutputClaim"), Immutable]
public sealed record OutputClaim(
    [property: Id(0)] string Location,
    [property: Id(1)] string Name,
    [property: Id(2)] string Fingerprint)
{
    /// <summary>Every (place, name) the job writes: each output on each target its claim names.</summary>
    public static IReadOnlyList<OutputClaim> For(JobSpec spec, IReadOnlyList<PlannedOutput> plan)
    {
        var locations = new List<string>();
        if (spec.DirectHost) locations.Add(LocationOf(null, null, spec.SubDir));
        locations.AddRange(spec.StorageKeys.Select(entry => LocationOf(entry.Key, entry.Value, spec.SubDir)));
        return locations.SelectMany(location => plan.Select(p => new OutputClaim(location, p.Name, p.Fingerprint))).ToList();
    }

    /// <summary>
    /// <c>directHost/{subDir}</c> for the serve directory, <c>{backend}:{credential key}/{subDir}</c> otherwise (keys
    /// hold no <c>/</c> or <c>:</c>). Two credentials that reach the same bucket or directory are two places here;
    /// the backends that keep metadata catch that case when writing.
    /// </summary>
    public static string LocationOf(string? backend, string? credentialKey, string subDir) =>
        backend is null ? $"directHost/{subDir}" : $"{backend.ToLowerInvariant()}:{credentialKey}/{subDir}";
}

/// <summary>What <see cref="IContentJobsGrain.Add"/> made of a job's claims.</summary>
/// <param name="Conflicts">Claims on names the same place already holds for other work (another fingerprint).</param>
/// <param name="Full">The hash already holds the most names it keeps track of; <paramref name="Conflicts"/> are the new ones.</param>
[GenerateSerializer, Alias("pixerve.ClaimOutcome"), Immutable]
public sealed record ClaimOutcome(
    [property: Id(0)] IReadOnlyList<OutputClaim> Conflicts,
    [property: Id(1)] bool Full = false)
{
    public static ClaimOutcome Granted { get; } = new([]);

    public bool IsGranted => Conflicts.Count == 0 && !Full;
}
