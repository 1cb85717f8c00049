using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// What one run of a job has made so far, as its converter reported it: held in the job's activation only (a write
/// per output is not worth it; the final record has every output). Reports come one-way from several conversion
/// threads, so in any order: what is shown is the source, then the outputs in plan order as far as none is missing,
/// and nothing of the outputs before the source.
/// </summary>
public sealed class RunProgress(int attempt, string runId, IReadOnlyList<PlannedOutput> plan)
{
    private readonly OutputInfo?[] _outputs = new OutputInfo?[plan.Count];
    private int _made;

    public int Attempt { get; } = attempt;

    public string RunId { get; } = runId;

    public SourceInfo? Source { get; private set; }

    /// <summary>The outputs shown: the first this many of the plan, all made.</summary>
    public int Done => Source is null ? 0 : _made;

    /// <summary>The shown outputs from <paramref name="from"/> on, at most <paramref name="count"/>.</summary>
    public IReadOnlyList<OutputInfo> Outputs(int from, int count) =>
        _outputs.Take(Done).Skip(from).Take(count).Select(o => o!).ToList();

    /// <summary>Takes a report of this run; true when what is shown changed.</summary>
    public bool Take(ConversionProgress report)
    {
        if (report.Attempt != Attempt || report.RunId != RunId) return false;
        var before = (Source, Done);
        if (report.Source is { } source) Source ??= source;
        // The converter's own plan, named as the job planned it: anything else is not this run's output.
        if (report.Output is { } output && report.Index >= 0 && report.Index < _outputs.Length &&
            output.Name == plan[report.Index].Name && _outputs[report.Index] is null)
        {
            _outputs[report.Index] = output;
            while (_made < _outputs.Length && _outputs[_made] is not null) _made++;
        }

        return before != (Source, Done);
    }
}
