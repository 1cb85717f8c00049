using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// How many grain calls the list pages and the retention run make, counted by the fault filter in front of every
/// grain of the silo.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class QuietPathTests(FaultFixture fixture, ITestOutputHelper output)
{
    private async Task<(string Hash, string JobId)> CompleteAsync(string subDir)
    {
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 32 } } } }, directHost = true, subDir });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("gray.jpg"), "photo.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        var final = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", final.GetProperty("status").GetString());
        var jobId = final.GetProperty("job_id").GetString()!;
        // Listed once its outbox's index step is done.
        await Poll.UntilAsync(async () => (await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(jobId).GetSnapshot()) is not null
            && (await fixture.SiloService<IGrainFactory>().GetGrain<IJobIndexGrain>(JobIndexDays.Key(DateTimeOffset.UtcNow)).All()).Any(e => e.JobId == jobId),
            TimeSpan.FromSeconds(30), "the job to be indexed");
        return (hash, jobId);
    }

    private int ListCalls => fixture.Faults.Calls("ICleanupGrain.Days") + fixture.Faults.Calls("IJobIndexGrain.Page");

    [Fact]
    public async Task A_list_page_is_a_few_grain_calls_and_the_pages_give_every_job_once()
    {
        var jobs = new List<string>();
        for (var i = 0; i < 3; i++) jobs.Add((await CompleteAsync($"quiet/list/{Guid.NewGuid():N}")).JobId);

        var before = ListCalls;
        var first = await fixture.GetJsonAsync("/success/list?limit=2", PixerveFixture.AdminToken);
        var calls = ListCalls - before;
        output.WriteLine($"grain calls for one page of 2: {calls}");
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        // The days that have an index, then today's page.
        Assert.True(calls <= 2, $"one page made {calls} grain calls");

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        before = ListCalls;
        do
        {
            var page = await fixture.GetJsonAsync($"/success/list?limit=1{(cursor is null ? "" : $"&cursor={cursor}")}", PixerveFixture.AdminToken);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("job_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        } while (cursor is not null && pages < 1000);

        output.WriteLine($"{pages} pages of 1: {ListCalls - before} grain calls");
        Assert.All(jobs, job => Assert.Single(seen, job));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Retention_expires_each_job_with_one_call_several_at_once_and_deletes_its_served_files()
    {
        var done = new List<(string Hash, string JobId, string SubDir)>();
        for (var i = 0; i < 4; i++)
        {
            var subDir = $"quiet/retention/{Guid.NewGuid():N}";
            var (hash, jobId) = await CompleteAsync(subDir);
            done.Add((hash, jobId, subDir));
        }

        foreach (var job in done) Assert.NotEmpty(Directory.GetFiles(Path.Combine(fixture.ServeDir, job.SubDir)));
        var expireBefore = fixture.Faults.Calls("IJobGrain.Expire");
        var snapshotsBefore = fixture.Faults.Calls("IJobGrain.GetSnapshot");
        fixture.Faults.ResetInFlight("IJobGrain.Expire");
        // Each expiry held a moment, so calls made together overlap.
        for (var i = 0; i < 64; i++) fixture.Faults.ArmDelay("IJobGrain.Expire", TimeSpan.FromMilliseconds(200));

        var removed = await fixture.SiloService<IGrainFactory>().GetGrain<ICleanupGrain>(0).Run(DateTimeOffset.UtcNow.AddDays(31));

        var expires = fixture.Faults.Calls("IJobGrain.Expire") - expireBefore;
        var snapshots = fixture.Faults.Calls("IJobGrain.GetSnapshot") - snapshotsBefore;
        output.WriteLine($"retention removed {removed} jobs with {expires} Expire and {snapshots} GetSnapshot calls, " +
                         $"{fixture.Faults.MaxInFlight("IJobGrain.Expire")} at most at once");
        Assert.True(removed >= done.Count);
        Assert.Equal(removed, expires);
        Assert.Equal(0, snapshots);
        Assert.True(fixture.Faults.MaxInFlight("IJobGrain.Expire") > 1, "the expiries ran one at a time");
        foreach (var job in done)
        {
            Assert.Null(await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(job.JobId).GetSnapshot());
            var served = Path.Combine(fixture.ServeDir, job.SubDir);
            Assert.True(!Directory.Exists(served) || Directory.GetFiles(served).Length == 0, $"{served} still has files");
        }
    }
}
