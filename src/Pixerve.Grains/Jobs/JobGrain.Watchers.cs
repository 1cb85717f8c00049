using Orleans.Utilities;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The job's watchers: observers (gateways serving <c>/events</c>) told the job's state after each write, so a
/// stream follows the job without asking it over and over. A subscription lives <see cref="WatchLifetime"/>
/// unless renewed; a watcher renews it well within that, which also brings it the state should a notification
/// have been lost (one-way calls) or this activation have gone (with its subscriptions).
/// </summary>
public sealed partial class JobGrain
{
    public static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(1);
    private ObserverManager<IJobObserver>? _watchers;

    private ObserverManager<IJobObserver> Watchers => _watchers ??= new ObserverManager<IJobObserver>(WatchLifetime, logger);

    public Task<JobSnapshot?> Watch(IJobObserver observer)
    {
        if (!job.RecordExists || State.Submission is null) return Task.FromResult<JobSnapshot?>(null);
        Watchers.Subscribe(observer, observer);
        EnqueueIfIdle();
        return Task.FromResult<JobSnapshot?>(Snapshot());
    }

    public Task Unwatch(IJobObserver observer)
    {
        _watchers?.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private void NotifyWatchers()
    {
        if (_watchers is not { Count: > 0 } watchers || !job.RecordExists || State.Submission is null) return;
        var snapshot = Snapshot();
        // One-way calls: a watcher that is gone costs nothing here and expires with its subscription.
        watchers.Notify((Action<IJobObserver>)(watcher => watcher.Changed(snapshot)));
    }
}
