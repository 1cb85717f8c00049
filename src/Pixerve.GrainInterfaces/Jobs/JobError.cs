using System.Security.Cryptography;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// Why a job failed, in two registers. <see cref="Category"/> and <see cref="Message"/> are safe for whoever holds the
/// job's token: they name what the token holder chose (a credential key, an output name) and what went wrong, never a
/// host, a path on a silo or a user name. <see cref="Detail"/> has everything (exception text, endpoints, paths) and
/// is for the admin token and the silo logs only. <see cref="CorrelationId"/> is written in the silo log lines that
/// carry the detail, so a token holder can quote it and an operator find them.
/// </summary>
/// <param name="Category">One of <see cref="JobErrorCategory"/>.</param>
/// <param name="CorrelationId">Null for a cancel, which nothing logs as a failure.</param>
[GenerateSerializer, Alias("pixerve.JobError"), Immutable]
public sealed record JobError(
    [property: Id(0)] string Category,
    [property: Id(1)] string Message,
    [property: Id(2)] string? CorrelationId,
    [property: Id(3)] string Detail)
{
    /// <summary>A cancel is the caller's own act: nothing to hide, nothing to look up.</summary>
    public static JobError Cancelled { get; } = new(JobErrorCategory.Cancelled, "cancelled by request", null, "cancelled by request");

    /// <summary>Twelve random hex digits: short enough to quote, unlikely to repeat within a retention period's logs.</summary>
    public static string NewCorrelationId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>
    /// The failures of several parts of one job (one per backend) as one: messages and details joined in order, the
    /// category shared when they agree, else <see cref="JobErrorCategory.Storage"/> (they are all backends).
    /// </summary>
    public static JobError? Join(IReadOnlyList<JobError> errors, string? correlationId) => errors.Count switch
    {
        0 => null,
        1 => errors[0] with { CorrelationId = correlationId ?? errors[0].CorrelationId },
        _ => new JobError(
            errors.Select(e => e.Category).Distinct().Count() == 1 ? errors[0].Category : JobErrorCategory.Storage,
            string.Join("; ", errors.Select(e => e.Message)),
            correlationId ?? errors[0].CorrelationId,
            string.Join("; ", errors.Select(e => e.Detail))),
    };
}

/// <summary>The values of <see cref="JobError.Category"/>, as the API spells them (<c>error_category</c>).</summary>
public static class JobErrorCategory
{
    /// <summary>The source is not an image the converter can decode, or is past a size limit.</summary>
    public const string Decode = "decode";

    /// <summary>The conversion broke or timed out (a silo lost mid-run, say), every attempt.</summary>
    public const string Conversion = "conversion";

    /// <summary>A backend did not take a write: refused it, timed out, could not be reached, or its circuit is open.</summary>
    public const string Storage = "storage";

    /// <summary>A storage key names no credential, one of another type, or one whose settings cannot open its backend.</summary>
    public const string Credential = "credential";

    /// <summary>The staged upload was gone when the job ran.</summary>
    public const string Upload = "upload";

    public const string Cancelled = "cancelled";
}
