using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class BatchUploadTests(PixerveFixture fixture)
{
    private static readonly object Job = new
    {
        formats = new { png = new { sizes = new[] { new[] { 32 } } } },
        directHost = true,
        subDir = "batch",
    };

    [Fact]
    public async Task Several_files_become_one_job_each_and_a_refused_file_does_not_sink_the_others()
    {
        var (first, second) = (UniqueBytes.Png(), UniqueBytes.Png());
        var token = fixture.Token(Job);
        using var response = await fixture.Http.SendAsync(Batch(token, ("a.png", first), ("notes.txt", "plain text"u8.ToArray()), ("b.png", second)));

        await HttpAssert.AssertOk(response);
        var jobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(["a.png", "notes.txt", "b.png"], jobs.Select(j => j.GetProperty("file").GetString()));
        Assert.Equal(Hash(first), jobs[0].GetProperty("hash").GetString());
        Assert.Equal([$"{Hash(first)}_a_32_32_.png"], jobs[0].GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Hash(second), jobs[2].GetProperty("hash").GetString());
        var error = jobs[1].GetProperty("error");
        Assert.Equal(415, error.GetProperty("status").GetInt32());
        Assert.Contains("not a supported image", error.GetProperty("detail").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("title").GetString()));
        Assert.False(jobs[0].TryGetProperty("error", out _));
        Assert.False(jobs[1].TryGetProperty("hash", out _));

        foreach (var hash in new[] { Hash(first), Hash(second) })
            Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_413_in_its_entry_and_its_neighbour_still_runs()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxUploadBytes=20000");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job);
        var stagedBefore = await fixture.Staging.ListAsync(CancellationToken.None);
        var small = UniqueBytes.Png();
        var large = await File.ReadAllBytesAsync(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        Assert.True(large.Length > 20000 && small.Length < 20000);

        using var response = await http.SendAsync(Batch(token, ("large.jpg", large), ("small.png", small)));

        await HttpAssert.AssertOk(response);
        var jobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(413, jobs[0].GetProperty("error").GetProperty("status").GetInt32());
        Assert.Equal(Hash(small), jobs[1].GetProperty("hash").GetString());
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(Hash(small), token)).GetProperty("status").GetString());
        // The refused file was never kept; the accepted one's blob goes once its job has finished.
        await Poll.UntilAsync(async () => !(await fixture.Staging.ListAsync(CancellationToken.None)).Except(stagedBefore).Any(),
            TimeSpan.FromMinutes(1), "staging to hold nothing of this batch");
    }

    [Fact]
    public async Task When_every_file_is_refused_the_answer_is_the_first_files_problem_listing_all()
    {
        using var response = await fixture.Http.SendAsync(Batch(fixture.Token(Job), ("empty.png", []), ("notes.txt", "plain text"u8.ToArray())));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        var jobs = problem.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal([400, 415], jobs.Select(j => j.GetProperty("error").GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task A_bad_spec_refuses_every_file_naming_the_field()
    {
        var token = fixture.Token(new { formats = new { png = new { sizes = new[] { new[] { 32 } } } }, directHost = true, subDir = "../up" });
        using var response = await fixture.Http.SendAsync(Batch(token, ("a.png", UniqueBytes.Png()), ("b.png", UniqueBytes.Png())));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("subDir", problem.GetProperty("field").GetString());
        Assert.All(problem.GetProperty("jobs").EnumerateArray(), j => Assert.Equal("subDir", j.GetProperty("error").GetProperty("field").GetString()));
    }

    [Fact]
    public async Task More_files_than_the_cap_is_400_and_starts_no_job()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxFilesPerUpload=2");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job);
        var first = UniqueBytes.Png();

        using var response = await http.SendAsync(Batch(token, ("a.png", first), ("b.png", UniqueBytes.Png()), ("c.png", UniqueBytes.Png())));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("at most 2 files", problem.GetProperty("detail").GetString());
        using var status = await http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={Hash(first)}", token));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task A_single_file_still_answers_exactly_hash_job_id_expected_files_and_status()
    {
        var token = fixture.Token(Job);
        var bytes = UniqueBytes.Png();
        using var response = await fixture.Http.SendAsync(Batch(token, ("one.png", bytes)));

        await HttpAssert.AssertOk(response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["hash", "job_id", "expected_files", "status"], body.EnumerateObject().Select(p => p.Name));
        await fixture.WaitUntilFinalAsync(Hash(bytes), token);
    }

    private static HttpRequestMessage Batch(string token, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", name);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
