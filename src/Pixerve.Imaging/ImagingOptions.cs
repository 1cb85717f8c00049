using System.ComponentModel.DataAnnotations;

namespace Pixerve.Imaging;

/// <summary>
/// Bound from <c>Pixerve:Imaging</c>, validated at start: the silo's image work. The limits a source is held to are
/// <c>Pixerve:Limits</c> (<see cref="Inspection.ImageLimitsOptions"/>), shared with the gateway.
/// </summary>
public sealed class ImagingOptions
{
    public const string Section = "Pixerve:Imaging";

    /// <summary>
    /// The silo's CPU budget for image work: threads decoding, resizing and encoding at once, across all the
    /// conversions running on the silo (0: one per core). Each runs one libvips operation with libvips' own
    /// thread count at one, so the budget is the cores image work can occupy.
    /// </summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// Nice value (0–19) of the conversion threads: above 0, the scheduler gives them less of a contended core than
    /// the threads answering requests, so acknowledgements and status reads stay fast under load. 0 leaves them at
    /// the process's priority.
    /// </summary>
    [Range(0, 19)]
    public int ThreadNice { get; set; } = 10;

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
