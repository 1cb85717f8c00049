using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Pixerve.Grains.Operations;
using Pixerve.Grains.Webhooks;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;

namespace Pixerve.Grains.Jobs;

/// <summary>A webhook attempt to make: everything the request needs, built by the job from its record.</summary>
public sealed record WebhookDelivery(int Attempt, string Url, IReadOnlyDictionary<string, string> Headers, byte[] Body, string MessageId, string? TraceParent);

/// <summary>
/// What a final job hands to its silo's <see cref="JobOutboxWorker"/>: the steps of its persisted outbox still to do,
/// and a webhook attempt when one is due. Null members are not asked for.
/// </summary>
public sealed record OutboxWork(string JobId, DateTimeOffset FinishedAt)
{
    public string? Subject { get; init; }
    public string? IndexDay { get; init; }
    public IndexEntry? IndexEntry { get; init; }
    public string? StagedBlob { get; init; }
    public WebhookDelivery? Webhook { get; init; }
}

/// <summary>
/// Does the side effects of final jobs off their grains' turns: takes the job off its subject's count, adds it to its
/// day's index, deletes its staged upload (a record of an earlier version asks it) and makes a webhook attempt, each
/// under its own timeout, then reports back to
/// the job (<see cref="IJobGrain.OutboxDone"/>), which records the outcome and schedules what is left. The job writes
/// its outbox before handing it over, so nothing is lost with this silo: the job's next activation, wherever it comes
/// up (the staging sweep brings one about), hands it over again. A job's turn is thus a state change and a write, never a slow callback or an outage.
/// </summary>
public sealed class JobOutboxWorker(IGrainFactory grains, IStagingStore staging, JobWebhooks webhooks, ILogger<JobOutboxWorker> logger)
    : SiloBackgroundService(logger)
{
    /// <summary>Work items done at once: a slow callback holds one, not the others.</summary>
    private const int Concurrency = 32;
    /// <summary>A step that is a grain call or a storage request gives up after this (the step is tried again later).</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private readonly Channel<OutboxWork> _work = Channel.CreateUnbounded<OutboxWork>(new UnboundedChannelOptions { SingleWriter = false });

    /// <summary>How long a job waits for the report of work it handed over before it hands it over again.</summary>
    public TimeSpan ReportDeadline => webhooks.Options.Timeout + StepTimeout + TimeSpan.FromSeconds(30);

    /// <summary>Started before the conversion workers and stopped after them, so the jobs they finish last are handed over.</summary>
    protected override int Stage => ServiceLifecycleStage.Active - 1;

    /// <summary>Takes a job's work; returns at once.</summary>
    public void Post(OutboxWork work) => _work.Writer.TryWrite(work);

    /// <summary>Takes no more work, does what it holds within the stop's wait, then gives up the rest to the jobs' next activations.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _work.Writer.TryComplete();
        try
        {
            await Running.WaitAsync(StopWait, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            Logger.LogWarning("The outbox worker stopped with work left; the jobs hand it over again when next activated");
        }

        await CancelAsync();
    }

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => ConsumeAsync(stopping), CancellationToken.None)));

    private async Task ConsumeAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(stopping))
            {
                try
                {
                    await RunAsync(work);
                }
                catch (Exception e)
                {
                    // The job hands its work over again at its report deadline, or its reminder does.
                    Logger.LogWarning("Job {JobId}: its outbox report could not be delivered ({Error}); the job asks again", work.JobId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Work still queued is in its jobs' records: their next activations hand it over on another silo.
        }
    }

    /// <summary>Does one job's work and reports it; the report is asked again a few times should the job's silo be unsettled.</summary>
    public async Task RunAsync(OutboxWork work)
    {
        var subject = work.Subject is { } s ? StepAsync(work, "subject count", () => SubjectJobs.For(grains, s).Remove(work.JobId).WaitAsync(StepTimeout)) : null;
        var index = work.IndexEntry is { } entry
            ? StepAsync(work, "index", () => grains.GetGrain<IJobIndexGrain>(work.IndexDay!).Add(entry).WaitAsync(StepTimeout))
            : null;
        var staged = work.StagedBlob is { } blob ? StepAsync(work, "staged blob", () => DeleteStagedAsync(blob)) : null;
        var webhook = work.Webhook is { } delivery ? SendAsync(work.JobId, delivery) : null;

        var report = new OutboxReport(work.FinishedAt)
        {
            SubjectDone = subject is not null && await subject,
            IndexDone = index is not null && await index,
            StagedBlobDone = staged is not null && await staged,
            Webhook = webhook is null ? null : await webhook,
        };
        await JobWorkers.Reports.RunAsync(() => grains.GetGrain<IJobGrain>(work.JobId).OutboxDone(report),
            (e, _, _) => Logger.LogInformation("Reporting job {JobId}'s outbox failed ({Error}); asking again", work.JobId, e.Message));
    }

    private async Task DeleteStagedAsync(string blob)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        await staging.DeleteIfExistsAsync(blob, timeout.Token);
    }

    private async Task<bool> StepAsync(OutboxWork work, string what, Func<Task> step)
    {
        try
        {
            await step();
            return true;
        }
        catch (Exception e)
        {
            Logger.LogWarning("Job {JobId}: the {What} step after it finished failed ({Error}); it will be tried again", work.JobId, what, e.Message);
            return false;
        }
    }

    private async Task<WebhookAttemptReport> SendAsync(string jobId, WebhookDelivery delivery)
    {
        // Continues the upload's trace, however long after it (a retry may come minutes later).
        using var span = PixerveTracing.StartLinked("webhook", delivery.TraceParent);
        span?.SetTag("pixerve.job_id", jobId);
        // The sender's own HTTP timeout (Pixerve:Webhooks:Timeout) bounds the attempt.
        var attempt = await webhooks.Sender.SendAsync(delivery.Url, delivery.Headers, delivery.Body, delivery.MessageId);
        return new WebhookAttemptReport(delivery.Attempt, attempt.Delivered, attempt.StatusCode, attempt.Error);
    }
}
