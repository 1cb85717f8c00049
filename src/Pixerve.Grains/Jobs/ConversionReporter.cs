using Microsoft.Extensions.Logging;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Imaging.Placeholders;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// Tells a run's job what its conversion has made, as it makes it (<see cref="IJobGrain.Progress"/>, one-way: the
/// conversion never waits on the job). An output is told as the final record describes it, which for a byte-exact
/// copy takes the source's size: so outputs made before the source is described wait for it, and the job is told
/// the source first.
/// </summary>
public sealed class ConversionReporter(IJobGrain? job, ConversionRequest request, ILogger logger) : IConversionProgress
{
    private readonly Lock _lock = new();
    private readonly List<(int Index, EncodedOutput Output)> _waiting = [];
    private SourceInfo? _source;

    /// <summary>The source as described (with its placeholders, made once here); null until it is.</summary>
    public SourceInfo? Source
    {
        get
        {
            lock (_lock) return _source;
        }
    }

    public void Described(SourceDescription source)
    {
        var described = Describe(source);
        List<(int Index, EncodedOutput Output)> waiting;
        lock (_lock)
        {
            if (_source is not null) return;
            _source = described;
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        Send(new ConversionProgress(request.Attempt, request.CorrelationId) { Source = described });
        foreach (var (index, output) in waiting) SendOutput(index, output, described);
    }

    public void Encoded(int index, EncodedOutput output)
    {
        SourceInfo? source;
        lock (_lock)
        {
            source = _source;
            if (source is null)
            {
                _waiting.Add((index, output));
                return;
            }
        }

        SendOutput(index, output, source);
    }

    /// <summary>The output at <paramref name="index"/> of the plan as the final record describes it.</summary>
    public static OutputInfo Info(PlannedOutput planned, EncodedOutput output, SourceInfo source)
    {
        // A byte-exact copy is the source itself: its size is the source's, oriented as the answers describe it.
        var (width, height) = planned.Box is null ? (source.Width, source.Height) : (output.Width, output.Height);
        return new OutputInfo(planned.Name, planned.Format.Info().Name, width, height, output.Bytes.Length);
    }

    /// <summary>The source's description with its placeholders, all from the converter's small preview (no second decode).</summary>
    public static SourceInfo Describe(SourceDescription source)
    {
        var placeholders = ImagePlaceholders.From(source.Preview);
        return new SourceInfo(source.Format.Extension(), source.Width, source.Height, source.HasAlpha, placeholders.DominantColor,
            placeholders.ThumbHash, placeholders.BlurHash, source.Frames);
    }

    private void SendOutput(int index, EncodedOutput output, SourceInfo source)
    {
        if (index < 0 || index >= request.Plan.Count) return;
        Send(new ConversionProgress(request.Attempt, request.CorrelationId) { Index = index, Output = Info(request.Plan[index], output, source) });
    }

    private void Send(ConversionProgress report)
    {
        if (job is null) return;
        try
        {
            // One-way: the call is handed to the runtime and answers at once. Progress is a courtesy: a report lost
            // leaves the job's watchers to learn of the output from its final record.
            _ = job.Progress(report);
        }
        catch (Exception e)
        {
            logger.LogDebug("A progress report of job {JobId} could not be sent: {Error}", request.JobId, e.Message);
        }
    }
}
