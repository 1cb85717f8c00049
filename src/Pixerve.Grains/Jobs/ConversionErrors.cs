using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The one place the conversion side turns what went wrong into a <see cref="JobError"/>: what a token holder may read
/// (the decoder's words about the image, that a run timed out) and, apart, the exception text for the admin, which
/// can name silos, staging URLs and paths.
/// </summary>
public static class ConversionErrors
{
    /// <summary>The decoder's message is written for the user and speaks only of the image (its format, size, frames).</summary>
    public static JobError Undecodable(UndecodableImageException error, string? correlationId) =>
        new(JobErrorCategory.Decode, error.Message, correlationId, Detail(error));

    public static JobError UploadGone(Exception error, string? correlationId) =>
        new(JobErrorCategory.Upload, "the staged upload is gone (it may have been cleaned up): upload the file again", correlationId, Detail(error));

    /// <summary>A run that broke outside the image: the grain call timed out, its silo went away, something threw.</summary>
    public static JobError Broke(Exception error, string? correlationId) => new(JobErrorCategory.Conversion, error switch
    {
        TimeoutException => "conversion timed out",
        SiloUnavailableException or OrleansMessageRejectionException => "the silo running the conversion went away",
        _ => "the conversion broke unexpectedly",
    }, correlationId, Detail(error));

    /// <summary>The conversion outlasted <c>Pixerve:Jobs:MaxConversionTime</c> and was stopped: the job fails, once.</summary>
    public static JobError TooLong(TimeSpan limit, string? correlationId) => new(JobErrorCategory.Conversion,
        $"the conversion took longer than {limit} (Pixerve:Jobs:MaxConversionTime) and was stopped", correlationId,
        $"cancelled after {limit} (Pixerve:Jobs:MaxConversionTime)");

    /// <summary>The silo running the conversion stopped past its grace: the job goes back to the queue.</summary>
    public static JobError HandedBack(TimeSpan grace, string silo, string? correlationId) => new(JobErrorCategory.Conversion,
        "the silo running the conversion stopped before it finished; it runs again on another silo", correlationId,
        $"silo {silo} stopped; the conversion did not finish within Pixerve:Silo:ShutdownGrace ({grace})");

    /// <summary>Each exception of the chain as <c>Type: message</c>: the admin's view, and the silo log's.</summary>
    public static string Detail(Exception error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) parts.Add($"{e.GetType().Name}: {e.Message}");
        return string.Join(" ---> ", parts);
    }
}
