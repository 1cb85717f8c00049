using Polly;
using Polly.Retry;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Pixerve's one way of asking again: a named Polly retry pipeline with a fixed number of attempts, a delay that grows
/// linearly or doubles (no jitter: these are few callers retrying their own call, not a crowd), and a predicate for
/// what is worth asking again. Awaits resume where they started (<see cref="ResilienceContext.ContinueOnCapturedContext"/>),
/// so a grain may retry its own calls inside its turn.
/// </summary>
public sealed class Retries
{
    private static readonly ResiliencePropertyKey<Action<Exception, int, TimeSpan>> OnRetryKey = new("pixerve.on-retry");
    private readonly ResiliencePipeline _pipeline;
    private readonly (string Name, TimeSpan Delay, DelayBackoffType Backoff, Func<Exception, bool> Transient) _settings;

    /// <param name="name">The pipeline's name in Polly's telemetry.</param>
    /// <param name="attempts">Calls in all, the first included.</param>
    /// <param name="delay">The wait before the second call; <paramref name="backoff"/> says how the next ones grow.</param>
    /// <param name="transient">Which failures are asked again; any other fails at once.</param>
    public Retries(string name, int attempts, TimeSpan delay, DelayBackoffType backoff, Func<Exception, bool> transient, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        Attempts = attempts;
        _settings = (name, delay, backoff, transient);
        var builder = new ResiliencePipelineBuilder { Name = name };
        if (time is not null) builder.TimeProvider = time;
        if (attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = attempts - 1,
                Delay = delay,
                BackoffType = backoff,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && transient(e)),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(OnRetryKey, out var onRetry))
                        onRetry(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    public int Attempts { get; }

    /// <summary>The same retries on another clock (tests: waits that end at once).</summary>
    public Retries WithTime(TimeProvider time) => new(_settings.Name, Attempts, _settings.Delay, _settings.Backoff, _settings.Transient, time);

    /// <summary>Any failure is asked again.</summary>
    public static bool Always(Exception _) => true;

    /// <param name="onRetry">Told each failure that is asked again: the exception, the number of the call that failed, the wait.</param>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, Action<Exception, int, TimeSpan>? onRetry = null)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true);
        if (onRetry is not null) context.Properties.Set(OnRetryKey, onRetry);
        try
        {
            return await _pipeline.ExecuteAsync(static async (_, call) => await call(), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task RunAsync(Func<Task> call, Action<Exception, int, TimeSpan>? onRetry = null) =>
        RunAsync(async () =>
        {
            await call();
            return true;
        }, onRetry);
}
