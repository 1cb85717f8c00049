using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// One caller cannot take more than its share: the rate limits count files, not requests, so a batch is no way
/// around them; and a token subject may have only so many jobs waiting, so it cannot fill the queue for everyone.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class FairShareTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { png = new { sizes = new[] { new[] { 32 } } } }, directHost = true, subDir = "fair" };

    [Theory]
    [InlineData("Pixerve:RateLimits:UploadsPerMinutePerSubject", "Pixerve:RateLimits:UploadsPerMinutePerIp")]
    [InlineData("Pixerve:RateLimits:UploadsPerMinutePerIp", "Pixerve:RateLimits:UploadsPerMinutePerSubject")]
    public async Task A_batch_counts_each_of_its_files_against_the_rate_limit_and_one_it_cannot_cover_is_refused_whole(string limit, string other)
    {
        var (gateway, http) = await fixture.StartGatewayAsync($"--{limit}=3", $"--{other}=0");
        await using var _ = gateway;
        using var __ = http;
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: $"fair-{Guid.NewGuid():N}");
        var before = await fixture.Staging.ListAsync(CancellationToken.None);

        // Four files against a window of three: refused as a whole, with nothing left staged.
        using (var refused = await http.SendAsync(Batch(token, UniqueBytes.Png(), UniqueBytes.Png(), UniqueBytes.Png(), UniqueBytes.Png())))
        {
            var problem = await HttpAssert.AssertProblem(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("too many uploads", problem.GetProperty("detail").GetString());
            Assert.True(int.Parse(refused.Headers.RetryAfter!.ToString()) is > 0 and <= 60);
        }

        await fixture.AssertNothingNewStagedAsync(before);

        // The refused batch counts as one request, not four files: two files still fit (1 + 2 = 3), a third does not.
        var accepted = new[] { UniqueBytes.Png(), UniqueBytes.Png() };
        using (var response = await http.SendAsync(Batch(token, accepted)))
        {
            await HttpAssert.AssertOk(response);
            var jobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().ToList();
            Assert.All(jobs, job => Assert.Equal("pending", job.GetProperty("status").GetString()));
        }

        using (var oneMore = await http.SendAsync(Batch(token, UniqueBytes.Png())))
            await HttpAssert.AssertProblem(oneMore, HttpStatusCode.TooManyRequests);

        foreach (var bytes in accepted) await fixture.WaitUntilFinalAsync(Hash(bytes), token);
    }

    [Fact]
    public async Task A_subject_past_its_pending_jobs_gets_429_while_another_subject_is_still_accepted()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxPendingJobsPerSubject=2");
        await using var _ = gateway;
        using var __ = http;
        var busy = $"busy-{Guid.NewGuid():N}";
        var busyToken = TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: busy);
        var otherToken = TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: $"other-{Guid.NewGuid():N}");
        var uploaded = new List<(byte[] Bytes, string Token)>();
        var queue = fixture.Queue();
        // Nothing runs while paused: the jobs stay pending, as behind a slow converter.
        queue.Pause();
        try
        {
            foreach (var bytes in new[] { UniqueBytes.Png(), UniqueBytes.Png() })
            {
                using var response = await http.SendAsync(Batch(busyToken, bytes));
                await HttpAssert.AssertOk(response);
                uploaded.Add((bytes, busyToken));
            }

            var before = await fixture.Staging.ListAsync(CancellationToken.None);
            using (var third = await http.SendAsync(Batch(busyToken, UniqueBytes.Png())))
            {
                var problem = await HttpAssert.AssertProblem(third, HttpStatusCode.TooManyRequests);
                Assert.Contains("Pixerve:Limits:MaxPendingJobsPerSubject", problem.GetProperty("detail").GetString());
                Assert.True(int.Parse(third.Headers.RetryAfter!.ToString()) > 0);
            }

            await fixture.AssertNothingNewStagedAsync(before);

            // The queue has room: another subject is accepted.
            var others = UniqueBytes.Png();
            using (var other = await http.SendAsync(Batch(otherToken, others)))
                await HttpAssert.AssertOk(other);
            uploaded.Add((others, otherToken));

            // A job that ends (here: cancelled) counts no more; with one place free, a batch of two gets one job and one 429.
            using (var cancel = await http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={Hash(uploaded[0].Bytes)}", busyToken)))
                await HttpAssert.AssertOk(cancel);
            var subjectJobs = SubjectJobs.For(fixture.SiloService<IGrainFactory>(), busy);
            await Poll.UntilAsync(async () => await subjectJobs.Count() == 1, TimeSpan.FromSeconds(30), "the cancelled job to count no more");
            var (fits, over) = (UniqueBytes.Png(), UniqueBytes.Png());
            using (var batch = await http.SendAsync(Batch(busyToken, fits, over)))
            {
                await HttpAssert.AssertOk(batch);
                var jobs = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().ToList();
                Assert.Equal("pending", jobs[0].GetProperty("status").GetString());
                Assert.Equal(429, jobs[1].GetProperty("error").GetProperty("status").GetInt32());
                Assert.NotNull(batch.Headers.RetryAfter);
            }

            uploaded.Add((fits, busyToken));
            Assert.Equal(2, await subjectJobs.Count());
        }
        finally
        {
            queue.Resume();
        }

        foreach (var (bytes, token) in uploaded) await fixture.WaitUntilFinalAsync(Hash(bytes), token);
        await Poll.UntilAsync(async () => await SubjectJobs.For(fixture.SiloService<IGrainFactory>(), busy).Count() == 0, TimeSpan.FromSeconds(30),
            "every final job to count no more");
    }

    private static HttpRequestMessage Batch(string token, params byte[][] files)
    {
        var form = new MultipartFormDataContent();
        for (var i = 0; i < files.Length; i++)
        {
            var part = new ByteArrayContent(files[i]);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", $"f{i}.png");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
