using System.Threading.Channels;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Jobs;

/// <summary>The gateway's side of one <c>/events</c> stream's subscription: the job's notifications, queued for the stream.</summary>
public sealed class JobWatcher : IJobObserver
{
    // A stream that falls behind needs only the latest states: older ones are dropped, never reordered.
    private readonly Channel<JobSnapshot> _changes = Channel.CreateBounded<JobSnapshot>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<JobSnapshot> Changes => _changes.Reader;

    public Task Changed(JobSnapshot snapshot)
    {
        _changes.Writer.TryWrite(snapshot);
        return Task.CompletedTask;
    }
}
