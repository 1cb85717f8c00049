using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;
using Xunit.Abstractions;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// What one job costs the storage account, counted on the wire by the clients' counting policy
/// (<see cref="StorageRequestCounting"/>): the happy path — upload, convert (jpg + webp at two sizes, <c>directHost</c>),
/// record, list, delete the staged original — takes at most <see cref="Budget"/> requests, at most
/// <see cref="BudgetBeforeAnswer"/> of them before the upload is answered. Not counted: what the cluster does whatever
/// the jobs (membership heartbeats, the sweep's one listing per period).
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class StorageRequestBudgetTests(PixerveFixture fixture, ITestOutputHelper output)
{
    private const double Budget = 8;
    private const double BudgetBeforeAnswer = 3;
    private const int Jobs = 6;

    private static object Job(string subDir) => new
    {
        formats = new
        {
            jpg = new { sizes = new[] { new[] { 1600 }, new[] { 400 } } },
            webp = new { sizes = new[] { new[] { 1600 }, new[] { 400 } } },
        },
        directHost = true,
        subDir,
    };

    [Fact]
    public async Task A_job_on_the_happy_path_costs_at_most_eight_storage_requests()
    {
        var token = fixture.Token(Job($"budget/{Guid.NewGuid():N}"));
        // A first job activates what every job then finds active (its day's index, the quota's grain).
        await RunAsync(token, UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"));
        await StagingSettledAsync();

        using var requests = new RequestCounter();
        for (var i = 0; i < Jobs; i++) await RunAsync(token, UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"));

        requests.Dispose();
        var perJob = (double)requests.Total / Jobs;
        output.WriteLine($"{perJob:F2} requests per job");
        foreach (var (key, count) in requests.ByKind.OrderBy(k => k.Key)) output.WriteLine($"  {key}: {(double)count / Jobs:F2}");
        Assert.True(perJob <= Budget, $"{perJob:F2} requests per job, budget {Budget}");
    }

    /// <summary>
    /// With the queue paused nothing converts while an upload is answered, so what is counted between sending it and
    /// reading the answer is the answer's own path.
    /// </summary>
    [Fact]
    public async Task An_upload_is_answered_after_at_most_three_storage_requests()
    {
        var token = fixture.Token(Job($"budget/{Guid.NewGuid():N}"));
        await RunAsync(token, UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"));

        var hashes = new List<string>();
        using var requests = new RequestCounter();
        fixture.Queue().Pause();
        try
        {
            for (var i = 0; i < Jobs; i++) hashes.Add((await UploadAsync(token, UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"))).Hash);
        }
        finally
        {
            fixture.Queue().Resume();
        }

        requests.Dispose();
        var counted = requests.Total;
        var perUpload = (double)counted / Jobs;
        output.WriteLine($"{perUpload:F2} requests per upload before its answer");
        foreach (var (key, count) in requests.ByKind.OrderBy(k => k.Key)) output.WriteLine($"  {key}: {(double)count / Jobs:F2}");
        foreach (var hash in hashes)
            Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        Assert.True(perUpload <= BudgetBeforeAnswer, $"{perUpload:F2} requests per upload before its answer, budget {BudgetBeforeAnswer}");
    }

    /// <summary>
    /// Waits until the sweep has nothing left to delete of earlier tests' jobs (the staged uploads stay the same across
    /// two of its periods), so that none of their deletes is counted as this test's.
    /// </summary>
    private async Task StagingSettledAsync()
    {
        var last = await fixture.Staging.ListAsync(CancellationToken.None);
        await Poll.UntilAsync(async () =>
        {
            await Task.Delay(SweepWait);
            var now = await fixture.Staging.ListAsync(CancellationToken.None);
            var settled = now.Count == last.Count && !now.Except(last).Any();
            last = now;
            return settled;
        }, TimeSpan.FromMinutes(1), "the staging sweep to have nothing left to delete");
    }

    /// <summary>Two of the fixture's sweep periods (<c>Pixerve:Jobs:ResumePeriod</c>, 3 s).</summary>
    private static readonly TimeSpan SweepWait = TimeSpan.FromSeconds(7);

    /// <summary>One job from upload to its staged original deleted by the sweep, so the next one's count holds nothing of it.</summary>
    private async Task RunAsync(string token, byte[] bytes)
    {
        var (hash, jobId) = await UploadAsync(token, bytes);
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        var staged = (await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(jobId).GetSnapshot())!.StagedBlob!;
        await Poll.UntilAsync(async () => !(await fixture.Staging.ListAsync(CancellationToken.None)).Contains(staged),
            TimeSpan.FromMinutes(1), "the sweep to delete the staged original");
    }

    private async Task<(string Hash, string JobId)> UploadAsync(string token, byte[] bytes)
    {
        using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, "photo.jpg", token));
        await HttpAssert.AssertOk(response);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (answer.GetProperty("hash").GetString()!, answer.GetProperty("job_id").GetString()!);
    }

    /// <summary>Counts the storage requests of this process's gateways and silos that a job can cause.</summary>
    private sealed class RequestCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public ConcurrentDictionary<string, long> ByKind { get; } = new();

        public long Total => Interlocked.Read(ref _total);

        public RequestCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PixerveMetrics.MeterName && instrument.Name == "pixerve.storage.requests")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string service = "", method = "", resource = "", operation = "";
                foreach (var tag in tags)
                {
                    var text = tag.Value as string ?? "";
                    switch (tag.Key)
                    {
                        case "service": service = text; break;
                        case "method": method = text; break;
                        case "resource": resource = text; break;
                        case "operation": operation = text; break;
                    }
                }

                // The cluster's own upkeep, whatever the jobs: membership heartbeats, the sweep's listing, the
                // reminder service's reading of its table.
                if (resource.StartsWith("OrleansSiloInstances", StringComparison.Ordinal) || operation is "list" or "query") return;
                Interlocked.Add(ref _total, value);
                ByKind.AddOrUpdate($"{service} {method} {resource} {operation}".TrimEnd(), value, (_, n) => n + value);
            });
            _listener.Start();
        }

        public void Dispose() => _listener.Dispose();
    }
}
