using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// Told a job's state after every change the job writes (a gateway's <c>/events</c> stream). A subscription
/// (<see cref="IJobGrain.Watch"/>) expires unless renewed, and is lost with the job's activation: a watcher
/// renews it periodically, which also re-reads the state, so it never waits on a notification that cannot come.
/// </summary>
[Alias("pixerve.IJobObserver")]
public interface IJobObserver : IGrainObserver
{
    [OneWay, Alias("Changed")]
    Task Changed(JobSnapshot snapshot);
}
