using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Grains.Staging;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>Each failure point a dying silo hits, with the fault injected into a real silo, not a sleep.</summary>
[Collection(FaultCollection.Name)]
public sealed class FailoverFaultTests(FaultFixture fixture)
{
    private string Token() => Token($"failover/{Guid.NewGuid():N}");

    private string Token(string subDir) => fixture.Token(new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
        directHost = true,
        subDir,
    });

    [Fact]
    public async Task An_index_add_that_fails_is_retried_until_the_list_shows_the_job_and_its_staged_upload_is_deleted()
    {
        var token = Token();
        fixture.Faults.Arm("IJobIndexGrain.Add", 2);
        var hash = await UploadAcceptedAsync(UniqueBytes.Jpeg("gray.jpg"), token);
        var final = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", final.GetProperty("status").GetString());
        var jobId = final.GetProperty("job_id").GetString()!;

        await Poll.UntilAsync(async () =>
        {
            var page = await fixture.GetJsonAsync("/success/list?limit=500", PixerveFixture.AdminToken);
            return page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("job_id").GetString() == jobId);
        }, TimeSpan.FromMinutes(1), "the job to be listed");
        Assert.True(fixture.Faults.Fired("IJobIndexGrain.Add") >= 2);
        var staged = (await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(jobId).GetSnapshot())!.StagedBlob!;
        // This fixture's sweep comes only when asked: the job, done with its original, lets the sweep delete it.
        await Poll.UntilAsync(async () =>
        {
            await fixture.SiloService<StagingSweeper>().SweepAsync(CancellationToken.None);
            return !(await fixture.Staging.ListAsync(CancellationToken.None)).Contains(staged);
        }, TimeSpan.FromMinutes(1), "the staged upload to be deleted");
    }

    [Fact]
    public async Task A_conversion_broken_by_a_dead_silo_is_queued_again_at_once_not_at_the_next_sweep()
    {
        var subDir = $"failover/{Guid.NewGuid():N}";
        var token = Token(subDir);
        fixture.Faults.Arm("IConverterGrain.Convert", 1);
        var job = await fixture.UploadExpectingAsync(UniqueBytes.Jpeg("progressive.jpg"), "progressive.jpg", token, subDir);

        // The sweep is ten minutes away and nothing looks at the job (a status read would queue it by itself):
        // outputs stored within the deadline mean the broken run queued the job again itself.
        await ServedFiles.WaitForAsync(fixture.ServeDir, [job], TimeSpan.FromMinutes(1), "the broken run queued again at once");
        Assert.Equal(1, fixture.Faults.Fired("IConverterGrain.Convert"));

        var final = await fixture.WaitUntilFinalAsync(job.Hash, token, TimeSpan.FromMinutes(1));
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal(2, final.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_conversion_taking_45_s_runs_once_and_the_jobs_queued_behind_it_run_once_too()
    {
        var token = Token();
        const string convert = "IConverterGrain.Convert";
        var delayed = fixture.Faults.Fired($"{convert}:delay");
        // Longer than Orleans' 30 s default response timeout, shorter than Pixerve:Jobs:MaxConversionTime.
        fixture.Faults.ArmDelay(convert, TimeSpan.FromSeconds(45));
        string[] hashes =
        [
            await UploadAcceptedAsync(UniqueBytes.Jpeg("va.jpg"), token),
            await UploadAcceptedAsync(UniqueBytes.Jpeg("vb.jpg"), token),
            await UploadAcceptedAsync(UniqueBytes.Jpeg("gray.jpg"), token),
        ];

        foreach (var hash in hashes)
        {
            var final = await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(3));
            Assert.Equal("completed", final.GetProperty("status").GetString());
            Assert.Equal(1, final.GetProperty("attempts").GetInt32());
        }

        Assert.Equal(delayed + 1, fixture.Faults.Fired($"{convert}:delay"));
    }

    [Fact]
    public async Task A_conversion_past_MaxConversionTime_is_cancelled_and_its_job_fails_once_with_that_reason()
    {
        var token = Token();
        var cancelledBefore = fixture.Faults.Fired("IConverterGrain.Convert:delay-cancelled");
        fixture.Faults.ArmDelay("IConverterGrain.Convert", TimeSpan.FromMinutes(10));
        var hash = await UploadAcceptedAsync(UniqueBytes.Jpeg("orient-6.jpg"), token);

        var final = await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", final.GetProperty("status").GetString());
        Assert.Equal(1, final.GetProperty("attempts").GetInt32());
        Assert.Equal("conversion", final.GetProperty("error_category").GetString());
        Assert.Contains("MaxConversionTime", final.GetProperty("error").GetString());
        var started = final.GetProperty("started_at").GetDateTimeOffset();
        var took = final.GetProperty("finished_at").GetDateTimeOffset() - started;
        Assert.InRange(took, TimeSpan.FromSeconds(49), TimeSpan.FromSeconds(70));
        Assert.Empty(final.GetProperty("files").EnumerateArray());

        // The cancel reached the conversion itself (the delay inside the converter's call ended), not only its caller.
        await Poll.UntilAsync(() => fixture.Faults.Fired("IConverterGrain.Convert:delay-cancelled") > cancelledBefore,
            TimeSpan.FromSeconds(10), "the conversion to be cancelled where it runs");
    }

    [Fact]
    public async Task A_pending_job_whose_queue_entry_was_lost_is_queued_again_by_a_status_read()
    {
        var token = Token();
        // The worker takes the job off the queue, then its call to start it breaks: pending, queued nowhere.
        fixture.Faults.Arm("IJobGrain.TryStart", 1);
        var hash = await UploadAcceptedAsync(UniqueBytes.Jpeg("cmyk.jpg"), token);
        await Poll.UntilAsync(() => fixture.Faults.Fired("IJobGrain.TryStart") >= 1, TimeSpan.FromMinutes(1), "the start to break");

        var final = await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(2));
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal(1, final.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_grain_call_the_cluster_cannot_answer_is_503_with_retry_after_not_500()
    {
        fixture.Faults.Arm("IContentJobsGrain.List", 1);
        using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={new string('d', 64)}", PixerveFixture.AdminToken));
        await HttpAssert.AssertProblem(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, fixture.Faults.Fired("IContentJobsGrain.List"));
    }

    [Fact]
    public async Task The_staging_sweep_removes_uploads_no_active_job_owns_and_keeps_a_pending_jobs_source()
    {
        var token = Token();
        var container = new BlobServiceClient(fixture.StorageConnectionString).GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        await container.CreateIfNotExistsAsync();
        var orphan = container.GetBlobClient($"uploads/orphan-{Guid.NewGuid():N}");
        await orphan.UploadAsync(BinaryData.FromBytes([1, 2, 3]), new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [PixerveConfiguration.StagedJobIdMetadata] = new string('f', 64) },
        });
        var unnamed = container.GetBlobClient($"uploads/unnamed-{Guid.NewGuid():N}");
        await unnamed.UploadAsync(BinaryData.FromBytes([4, 5, 6]));

        fixture.Queue().Pause();
        var hash = "";
        try
        {
            using var upload = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);
            await HttpAssert.AssertOk(upload);
            var answer = await upload.Content.ReadFromJsonAsync<JsonElement>();
            var jobId = answer.GetProperty("job_id").GetString()!;
            hash = answer.GetProperty("hash").GetString()!;
            var pendingSource = (await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(jobId).GetSnapshot())!.StagedBlob!;

            Assert.True(await fixture.SiloService<StagingSweeper>().SweepAsync(CancellationToken.None) >= 2);
            var left = await fixture.Staging.ListAsync(CancellationToken.None);
            Assert.DoesNotContain(orphan.Name, left);
            Assert.DoesNotContain(unnamed.Name, left);
            Assert.Contains(pendingSource, left);
        }
        finally
        {
            fixture.Queue().Resume();
        }

        // Done before the next test arms a fault its conversion could meet.
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
    }

    private Task<HttpResponseMessage> UploadAsync(byte[] bytes, string token) =>
        fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, "photo.jpg", token));

    /// <summary>Uploads, asserts it was accepted, and returns the hash.</summary>
    private async Task<string> UploadAcceptedAsync(byte[] bytes, string token)
    {
        using var upload = await UploadAsync(bytes, token);
        await HttpAssert.AssertOk(upload);
        return (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
    }
}
