using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The running attempt's progress: the converter tells the job the source's description and each output as it is
/// made (<see cref="Progress"/>); the job keeps it in memory, shows it in its snapshots (<c>outputs_done</c>, the
/// source) and tells its watchers. A report of another attempt or run, or to a job no longer processing, is ignored.
/// </summary>
public sealed partial class JobGrain
{
    /// <summary>The most outputs one <see cref="GetOutputsDone"/> answers: a message stays small whatever the plan.</summary>
    public const int OutputsPage = 64;

    /// <summary>The running attempt's progress; null when no run of this activation's is going on.</summary>
    private RunProgress? _progress;

    public Task Progress(ConversionProgress report)
    {
        // Only the run this activation started (it knows the run's id) of the attempt the record is at, and only
        // while it runs: a late report of an earlier run, or one after the outcome, changes nothing.
        if (_progress is { } run && job.RecordExists && State.Status == JobStatus.Processing && report.Attempt == State.Attempts &&
            run.Take(report))
            NotifyWatchers();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutputInfo>> GetOutputsDone(int from)
    {
        from = Math.Max(0, from);
        IReadOnlyList<OutputInfo> outputs = !job.RecordExists || State.Submission is null ? []
            : State.Status.IsFinal() ? State.Outputs.Skip(from).Take(OutputsPage).ToList()
            : RunningProgress is { } run ? run.Outputs(from, OutputsPage)
            : [];
        return Task.FromResult(outputs);
    }

    /// <summary>The progress of the attempt the record says is running; null when none is.</summary>
    private RunProgress? RunningProgress =>
        State.Status == JobStatus.Processing && _progress is { } run && run.Attempt == State.Attempts ? run : null;

    /// <summary>How many outputs the snapshot counts as made (see <see cref="JobSnapshot.OutputsDone"/>).</summary>
    private int OutputsDone => State.Status.IsFinal() ? State.Outputs.Count : RunningProgress?.Done ?? 0;
}
