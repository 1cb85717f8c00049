using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Pixerve.Grains.Operations;

/// <summary>
/// A per-silo service that runs in the background while the silo is active: started when the silo becomes active,
/// told to stop (its token cancelled) first when it shuts down, and awaited for at most <see cref="StopWait"/> so a
/// loop stuck on a cluster that is going away cannot hold up the shutdown.
/// </summary>
public abstract class SiloBackgroundService(ILogger logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The running <see cref="ExecuteAsync"/>.</summary>
    protected Task Running { get; private set; } = Task.CompletedTask;

    protected ILogger Logger { get; } = logger;

    /// <summary>How long <see cref="StopAsync"/> waits for <see cref="ExecuteAsync"/> to end.</summary>
    protected virtual TimeSpan StopWait => TimeSpan.FromSeconds(5);

    /// <summary>Cancelled when the silo stops.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>When it starts; it stops in the reverse order (a lower stage starts earlier and stops later).</summary>
    protected virtual int Stage => ServiceLifecycleStage.Active;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, Stage, StartAsync, StopAsync);

    /// <summary>Runs until <paramref name="stopping"/> is cancelled.</summary>
    protected abstract Task ExecuteAsync(CancellationToken stopping);

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        Running = Task.Run(() => ExecuteAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public virtual async Task StopAsync(CancellationToken cancellationToken)
    {
        await CancelAsync();
        try
        {
            await Running.WaitAsync(StopWait, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
            Logger.LogWarning("{Service} did not stop within {Wait}; the silo stops without it", GetType().Name, StopWait);
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "{Service} ended with an error", GetType().Name);
        }
    }

    /// <summary>Tells <see cref="ExecuteAsync"/> to stop, without waiting for it.</summary>
    protected Task CancelAsync() => _stopping.CancelAsync();
}

/// <summary>
/// A <see cref="SiloBackgroundService"/> that does one thing every <see cref="Period"/> on a <see cref="PeriodicTimer"/>.
/// A tick that fails is logged and the next one comes at its time; a stop ends the wait for the next tick at once.
/// </summary>
public abstract class PeriodicSiloService(TimeProvider time, ILogger logger) : SiloBackgroundService(logger)
{
    protected abstract TimeSpan Period { get; }

    protected TimeProvider Time => time;

    /// <summary>Ticks once at start too, not only after the first period.</summary>
    protected virtual bool TickAtStart => false;

    /// <summary>One period's work.</summary>
    protected abstract Task TickAsync(CancellationToken stopping);

    protected sealed override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            if (TickAtStart) await TickSafelyAsync(stopping);
            while (await timer.WaitForNextTickAsync(stopping)) await TickSafelyAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task TickSafelyAsync(CancellationToken stopping)
    {
        try
        {
            await TickAsync(stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            Logger.LogWarning(e, "{Service} failed ({Error}); trying again in {Period}", GetType().Name, e.Message, Period);
        }
    }
}
