using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace Pixerve.Storage.Resilience;

/// <summary>
/// Every write goes through its target's pipeline (one per backend and credential on this silo, kept in a Polly
/// registry): retries with jittered exponential backoff on transient errors, inside a circuit breaker that, after
/// repeated failed writes, fails jobs at once naming the backend instead of making each wait through its retries.
/// The caller's token reaches the backend's request and the backoff delays, so a write can be cancelled.
/// </summary>
public sealed class StorageResilience : IDisposable
{
    /// <summary>
    /// Polly's breaker opens on a failure ratio over a sampling window. With ratio 1, the longest window it allows and
    /// the reset on every success below, it opens after <see cref="StorageResilienceOptions.FailuresToOpen"/> failed
    /// writes in a row, whatever time passes between them.
    /// </summary>
    private static readonly TimeSpan FailureWindow = TimeSpan.FromDays(1);

    private readonly ResiliencePipelineRegistry<StorageTarget> _registry;
    private readonly ConcurrentDictionary<StorageTarget, Lazy<StorageCircuit>> _circuits = new();
    private readonly IOptions<StorageResilienceOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ICircuitObserver[] _observers;
    private readonly ILogger<StorageResilience> _logger;

    public StorageResilience(
        IOptions<StorageResilienceOptions> options,
        TimeProvider clock,
        IEnumerable<ICircuitObserver> observers,
        ILogger<StorageResilience> logger)
    {
        _options = options;
        _clock = clock;
        _observers = observers.ToArray();
        _logger = logger;
        _registry = new ResiliencePipelineRegistry<StorageTarget>(new ResiliencePipelineRegistryOptions<StorageTarget>
        {
            BuilderFactory = () => new ResiliencePipelineBuilder { TimeProvider = clock },
            BuilderNameFormatter = target => target.CircuitName,
        });
    }

    /// <summary>
    /// Creates one file through the target's pipeline (<see cref="IObjectStore.PutAsync"/>: never replacing one).
    /// Fails with <see cref="StorageWriteException"/> whose message is the job's error
    /// (<see cref="StorageUnavailableException"/> when the circuit refused it untried), or with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> was cancelled.
    /// </summary>
    public async Task<StoredObject> PutAsync(StorageTarget target, IObjectStore store, string relativePath, ReadOnlyMemory<byte> bytes,
        string contentType, string? fingerprint, CancellationToken cancellationToken)
    {
        var circuit = CircuitOf(target);
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        try
        {
            var stored = await circuit.Pipeline.ExecuteAsync(async token =>
            {
                try
                {
                    return await store.PutAsync(relativePath, bytes, contentType, fingerprint, token);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // The one place a backend's failure becomes the job's: in full for the admin, and as its token holder may read it.
                    var failed = $"storage {target.Label} failed writing {name}: ";
                    throw new StorageWriteException(failed + store.Describe(e), failed + store.DescribeSafely(e), store.IsTransient(e), e)
                    {
                        IsBackendFault = e is not ObjectConflictException,
                    };
                }
            }, cancellationToken);

            await BackendAnsweredAsync(circuit);
            return stored;
        }
        catch (BrokenCircuitException refused)
        {
            var retryAt = _clock.GetUtcNow() + (refused.RetryAfter ?? _options.Value.OpenFor);
            var unavailable = $"storage {target.Label} is unavailable: ";
            throw new StorageUnavailableException(unavailable + circuit.Refusal(retryAt, circuit.LastError),
                unavailable + circuit.Refusal(retryAt, circuit.LastSafeError), refused);
        }
        catch (StorageWriteException e) when (!e.IsBackendFault)
        {
            // A file of that name made by other work: the backend answered, as the breaker saw it too.
            await BackendAnsweredAsync(circuit);
            throw;
        }
        catch (Exception e) when (e is StorageWriteException or OperationCanceledException)
        {
            circuit.Failed();
            throw;
        }
    }

    /// <summary>Polly would still count the failures before this answer within its window: start the run again.</summary>
    private static async Task BackendAnsweredAsync(StorageCircuit circuit)
    {
        if (circuit.ResetFailures()) await circuit.ManualControl.CloseAsync(CancellationToken.None);
    }

    /// <summary>A probe with the target's credential worked: close its circuit now rather than after the cool-down.</summary>
    public async Task ConfirmWorkingAsync(StorageTarget target)
    {
        if (!_circuits.TryGetValue(target, out var circuit)) return;
        circuit.Value.ResetFailures();
        await circuit.Value.ManualControl.CloseAsync(CancellationToken.None);
    }

    /// <summary>The target's circuit on this silo; closed when it has never been used.</summary>
    public CircuitStatus StatusOf(StorageTarget target) =>
        _circuits.TryGetValue(target, out var lazy) && lazy.Value is var circuit
            ? new CircuitStatus(target, circuit.State, circuit.LastError, circuit.ChangedAt)
            : new CircuitStatus(target, CircuitState.Closed, null, DateTimeOffset.MinValue);

    public void Dispose() => _registry.Dispose();

    // Lazy: a circuit's state provider may join one pipeline only, so each target's pipeline is built exactly once.
    private StorageCircuit CircuitOf(StorageTarget target) =>
        _circuits.GetOrAdd(target, key => new Lazy<StorageCircuit>(() => Create(key))).Value;

    private StorageCircuit Create(StorageTarget target)
    {
        var circuit = new StorageCircuit(target);
        circuit.Pipeline = _registry.GetOrAddPipeline(target, builder => Configure(builder, circuit));
        return circuit;
    }

    private void Configure(ResiliencePipelineBuilder builder, StorageCircuit circuit)
    {
        var options = _options.Value;
        var target = circuit.Target;

        // Outermost, so the breaker sees one outcome per write, after its retries. A cancelled write counts as failed:
        // a caller that gave up on a slow backend is evidence, and a silo shutting down takes its circuits with it.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { IsBackendFault: true } or OperationCanceledException),
            FailureRatio = 1.0,
            MinimumThroughput = Math.Max(2, options.FailuresToOpen),
            SamplingDuration = FailureWindow,
            BreakDuration = options.OpenFor,
            StateProvider = circuit.StateProvider,
            ManualControl = circuit.ManualControl,
            OnOpened = args => args.Outcome.Exception is StorageWriteException failed
                ? Changed(circuit, CircuitState.Open, failed.Message, failed.SafeMessage)
                : Changed(circuit, CircuitState.Open, $"storage {target.Label}: a write was cancelled before it finished"),
            OnHalfOpened = _ => Changed(circuit, CircuitState.HalfOpen, circuit.LastError, circuit.LastSafeError),
            OnClosed = _ =>
            {
                circuit.ResetFailures();
                return Changed(circuit, CircuitState.Closed, null);
            },
        });

        // Polly needs at least one retry; a single attempt is simply no retry strategy.
        if (options.Attempts < 2) return;
        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is StorageWriteException { IsTransient: true }),
            MaxRetryAttempts = options.Attempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.FirstRetryDelay,
            OnRetry = args =>
            {
                _logger.LogInformation("Storage {Label} attempt {Attempt} failed ({Error}); retrying in {Delay}",
                    target.Label, args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        });
    }

    /// <param name="error">In full: the health view and the logs are the admin's.</param>
    /// <param name="safeError">As a job's token holder may read it, in the refusals while the circuit is open; the same when omitted.</param>
    private ValueTask Changed(StorageCircuit circuit, CircuitState state, string? error, string? safeError = null)
    {
        circuit.LastError = error;
        circuit.LastSafeError = safeError ?? error;
        circuit.ChangedAt = _clock.GetUtcNow();
        if (state == CircuitState.Open) _logger.LogWarning("Storage circuit {Circuit} opened: {Error}", circuit.Target, error);
        else _logger.LogInformation("Storage circuit {Circuit} is {State}", circuit.Target, state);

        var status = new CircuitStatus(circuit.Target, state, error, circuit.ChangedAt);
        foreach (var observer in _observers)
        {
            try
            {
                observer.Changed(status);
            }
            catch (Exception e)
            {
                // The health view is a convenience; a write must not fail because it could not be told.
                _logger.LogWarning(e, "Circuit observer {Observer} failed", observer.GetType().Name);
            }
        }

        return ValueTask.CompletedTask;
    }
}
