using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Grains.Jobs;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// Fault injection for the failover tests: an armed point fails its next N calls with the exception a dying silo
/// causes. Points are grain methods (<c>IJobIndexGrain.Add</c>, caught by an incoming call filter).
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<string, int> _armed = new();
    private readonly ConcurrentDictionary<string, int> _fired = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> _delays = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _maxInFlight = new();

    /// <summary>How many calls of <paramref name="point"/> this silo has received (armed or not).</summary>
    public int Calls(string point) => _calls.GetValueOrDefault(point);

    /// <summary>The most calls of <paramref name="point"/> that were running at once since <see cref="ResetInFlight"/>.</summary>
    public int MaxInFlight(string point) => _maxInFlight.GetValueOrDefault(point);

    public void ResetInFlight(string point) => _maxInFlight[point] = 0;

    /// <summary>Counts a call of <paramref name="point"/> until the returned scope ends.</summary>
    public IDisposable Enter(string point)
    {
        _calls.AddOrUpdate(point, 1, (_, n) => n + 1);
        var now = _inFlight.AddOrUpdate(point, 1, (_, n) => n + 1);
        _maxInFlight.AddOrUpdate(point, now, (_, n) => Math.Max(n, now));
        return new Exit(() => _inFlight.AddOrUpdate(point, 0, (_, n) => n - 1));
    }

    private sealed class Exit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }

    public void Arm(string point, int times) => _armed[point] = times;

    public void Disarm(string point) => _armed.TryRemove(point, out _);

    public int Fired(string point) => _fired.GetValueOrDefault(point);

    /// <summary>Makes the next call of <paramref name="point"/> take <paramref name="delay"/> longer (a slow conversion), cancellable by its call.</summary>
    public void ArmDelay(string point, TimeSpan delay) => _delays.GetOrAdd(point, _ => new ConcurrentQueue<TimeSpan>()).Enqueue(delay);

    public async Task DelayAsync(string point, CancellationToken cancellationToken)
    {
        if (!_delays.TryGetValue(point, out var delays) || !delays.TryDequeue(out var delay)) return;
        _fired.AddOrUpdate($"{point}:delay", 1, (_, n) => n + 1);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _fired.AddOrUpdate($"{point}:delay-cancelled", 1, (_, n) => n + 1);
            throw;
        }
    }

    public void Hit(string point)
    {
        while (_armed.TryGetValue(point, out var left) && left > 0)
        {
            if (!_armed.TryUpdate(point, left - 1, left)) continue;
            _fired.AddOrUpdate(point, 1, (_, n) => n + 1);
            throw new SiloUnavailableException($"injected fault at {point}: the silo it needed is gone");
        }
    }
}

/// <summary>
/// Fails or slows armed grain methods before they run, named <c>Interface.Method</c> (e.g. <c>IJobGrain.TryStart</c>).
/// A delay runs inside the call, as a slow conversion would, and ends early when the call is cancelled.
/// </summary>
public sealed class FaultFilter(FaultInjector faults, RunningConversions running) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var point = $"{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name}";
        using var counted = faults.Enter(point);
        faults.Hit(point);
        // A conversion's delay ends when its worker cancels the run, as the conversion itself would.
        var cancellation = context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is ConversionRequest request
            ? running.For(request.CorrelationId)
            : CancellationToken.None;
        await faults.DelayAsync(point, cancellation);
        await context.Invoke();
    }
}

/// <summary>Puts the fault injector into a test silo, around the services the real host configured.</summary>
public sealed class FaultInjectionConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var services = siloBuilder.Services;
        services.AddSingleton<FaultInjector>();
        siloBuilder.AddIncomingGrainCallFilter<FaultFilter>();
    }
}

/// <summary>
/// One silo with fault injection, a ten-minute resume period (so that a job which completes within a test's
/// deadline was queued again at once, not by the staging sweep) and conversions limited to 50 s. The staging sweep runs only when a test calls it.
/// </summary>
public sealed class FaultFixture : PixerveFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Pixerve:Jobs:Concurrency", "1"),
        new("Pixerve:Jobs:ResumePeriod", "00:10:00"),
        // Past Orleans' 30 s response timeout, short enough for a test to outlast it.
        new("Pixerve:Jobs:MaxConversionTime", "00:00:50"),
        new("Pixerve:Staging:SweepPeriod", "01:00:00"),
        new("Pixerve:Staging:MaxAge", "00:00:00"),
        new("Pixerve:Retention:DeleteServedFiles", "true"),
    ];

    public FaultInjector Faults => SiloService<FaultInjector>();

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FaultInjectionConfigurator>();
}
