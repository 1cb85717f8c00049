using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Resumable;

/// <summary>Bound from <c>Pixerve:Uploads</c>: resumable (tus) uploads.</summary>
public sealed class ResumableUploadOptions
{
    public const string Section = "Pixerve:Uploads";

    /// <summary>
    /// How long an upload may stay unfinished from its creation: after that its parts are removed (by the staging sweep
    /// of the silos) and the upload answers 404. A phone that loses its connection for a night can still finish.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);
}
