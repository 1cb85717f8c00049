using System.Net;
using System.Text.Json;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

[Collection(PixerveCollection.Name)]
public sealed class RecordTests(PixerveFixture fixture)
{
    private static object Job(string subDir) => new
    {
        formats = new { webp = new { sizes = new[] { new[] { 120 }, new[] { 60 } } } },
        keepOriginal = true,
        directHost = true,
        subDir,
    };

    [Fact]
    public async Task Success_list_pages_with_a_cursor_and_needs_the_admin_token()
    {
        var token = fixture.Token(Job("records/list"));
        var jobIds = new List<string>();
        foreach (var image in new[] { "va.webp", "vb.jpg" })
        {
            var hash = await fixture.UploadAsync(image, token);
            var final = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("completed", final.GetProperty("status").GetString());
            jobIds.Add(final.GetProperty("job_id").GetString()!);
        }

        var seen = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await fixture.GetJsonAsync($"/success/list?limit=1{(cursor is null ? "" : $"&cursor={cursor}")}", PixerveFixture.AdminToken);
            Assert.True(page.GetProperty("items").GetArrayLength() <= 1);
            seen.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null && seen.Count < 1000);

        // Other tests' jobs may share these bytes (other claims): each job is listed once, by its id.
        foreach (var jobId in jobIds)
        {
            var item = Assert.Single(seen, i => i.GetProperty("job_id").GetString() == jobId);
            Assert.Equal(3, item.GetProperty("file_count").GetInt32());
        }

        Assert.Equal(seen.Count, seen.Select(i => i.GetProperty("job_id").GetString()).Distinct().Count());

        using var asJob = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, "/success/list", token));
        Assert.Equal(HttpStatusCode.Forbidden, asJob.StatusCode);
        using var badCursor = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, "/failures/list?cursor=x", PixerveFixture.AdminToken));
        await HttpAssert.AssertProblem(badCursor, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Retention_removes_records_older_than_30_days_with_their_index_entries()
    {
        var token = fixture.Token(Job("records/retention"));
        var hash = await fixture.UploadAsync("photo-wood.webp", token);
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        var cleanup = fixture.SiloService<IGrainFactory>().GetGrain<ICleanupGrain>(0);

        // The clock is passed in: 29 days on, the record stays; 31 days on, it is gone.
        await cleanup.Run(DateTimeOffset.UtcNow.AddDays(29));
        Assert.Equal("completed", (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("status").GetString());

        Assert.True(await cleanup.Run(DateTimeOffset.UtcNow.AddDays(31)) >= 1);
        using var status = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={hash}", token));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        var today = JobIndexDays.Key(DateTimeOffset.UtcNow);
        Assert.DoesNotContain(await fixture.SiloService<IGrainFactory>().GetGrain<IJobIndexGrain>(today).All(), e => e.Hash == hash);
        // The job is gone, so its records answer as for any unknown job.
        using var success = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/success?hash={hash}", token));
        await HttpAssert.AssertProblem(success, HttpStatusCode.NotFound);
        // Served files are kept unless configured otherwise.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(fixture.ServeDir, "records", "retention")).Length);
    }
}
