using System.Diagnostics;
using Xunit.Abstractions;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>A final job's side effects run off its grain's turns: a slow callback does not hold the job.</summary>
[Collection(PixerveCollection.Name)]
public sealed class OutboxTurnTests(PixerveFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_slow_webhook_does_not_hold_its_jobs_turns_and_is_still_delivered()
    {
        var hold = TimeSpan.FromSeconds(5);
        await using var receiver = await WebhookReceiver.StartAsync(hold: hold);
        var token = fixture.Token(new
        {
            formats = new { webp = new { sizes = new[] { new[] { 32 } } } },
            directHost = true,
            subDir = $"outbox/slow/{Guid.NewGuid():N}",
            completionCallback = receiver.Url,
        });
        var hash = await fixture.UploadAsync("va.webp", token);
        var final = await fixture.WaitUntilFinalAsync(hash, token);
        var job = fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(final.GetProperty("job_id").GetString()!);

        // The callback has arrived and is being held by the receiver: an attempt is in flight.
        await Poll.UntilAsync(() => receiver.Arrived >= 1, TimeSpan.FromSeconds(30), "the callback to arrive");
        var turn = Stopwatch.StartNew();
        // Not interleaved with other turns (unlike status reads): it waits for whatever turn the job is in.
        Assert.Equal(CancelOutcome.NotPending, await job.Cancel());
        turn.Stop();
        output.WriteLine($"a job turn during a held {hold.TotalSeconds:F0} s webhook took {turn.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(turn.Elapsed < TimeSpan.FromSeconds(2), $"the job's turn waited {turn.Elapsed} for its webhook");

        await Poll.UntilAsync(async () => (await job.GetSnapshot())?.Webhook?.Outcome == WebhookOutcome.Delivered,
            TimeSpan.FromSeconds(30), "the webhook to be recorded delivered");
        Assert.Equal(1, (await job.GetSnapshot())!.Webhook!.Attempts);
    }
}
