using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>Two real silo processes; one is stopped with SIGTERM while it converts.</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    private const int Jobs = 12;

    /// <summary>The silos' <c>Pixerve:Jobs:ResumePeriod</c>.</summary>
    private static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(2);
    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:Jobs:Concurrency"] = "1",
            ["Pixerve:Jobs:ResumePeriod"] = $"{ResumePeriod:c}",
        }, gatewaySettings: "--Pixerve:Gateway:GrainCallTimeout=00:00:10");

    [Fact]
    public async Task Sigterm_finishes_the_running_conversion_and_leaves_queued_jobs_to_the_other_silo()
    {
        const string subDir = "sigterm";
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, new
        {
            formats = new { png = new { sizes = new[] { new[] { 1920 } } }, webp = new { sizes = new[] { new[] { 1920 }, new[] { 800 } } } },
            directHost = true,
            subDir,
        });
        var photo = await File.ReadAllBytesAsync(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var jobs = new List<ExpectedOutputs>();
        for (var i = 0; i < Jobs; i++)
        {
            var content = new MultipartFormDataContent { { new ByteArrayContent([.. photo, (byte)(100 + i)]), "file", $"photo-{i}.jpg" } };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _cluster.Http.SendAsync(request);
            await HttpAssert.AssertOk(response);
            jobs.Add(ExpectedOutputs.FromUploadAnswer(await response.Content.ReadFromJsonAsync<JsonElement>(), subDir, $"photo-{i}.jpg"));
        }

        var stopping = _cluster.Silos[1];
        var tag = $":{stopping.SiloPort}:";
        ExpectedOutputs? running = null;
        await Poll.UntilAsync(async () =>
        {
            foreach (var job in jobs)
            {
                var status = await StatusAsync(job.Hash, token);
                if (status is { } s && s.GetProperty("status").GetString() == "processing" &&
                    s.GetProperty("processed_by").GetString()!.Contains(tag))
                {
                    running = job;
                    return true;
                }
            }

            return false;
        }, TimeSpan.FromMinutes(1), "the silo to be stopped to be converting");

        stopping.Terminate();
        using (var exit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            await stopping.WaitForExitAsync(exit.Token);

        // The stopped silo's queued jobs are queued nowhere now, and nothing asks them anything (a status read
        // would queue them again by itself): their reminders alone must bring them to the other silo.
        await ServedFiles.WaitForAsync(_cluster.ServeDir, jobs, ResumePeriod + TimeSpan.FromSeconds(60),
            "the stopped silo's queued jobs resumed on the other silo by their reminders");

        // Only now, with every output stored, are the jobs looked at.
        var final = new List<JsonElement>();
        foreach (var job in jobs)
        {
            JsonElement last = default;
            await Poll.UntilAsync(async () =>
            {
                if (await StatusAsync(job.Hash, token) is not { } s) return false;
                last = s;
                return s.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
            }, TimeSpan.FromMinutes(1), $"job {job.JobId} ({job.Label}) to be final once its outputs were stored");
            final.Add(last);
        }

        Assert.All(final, f => Assert.Equal("completed", f.GetProperty("status").GetString()));
        // The conversion running at SIGTERM was allowed to finish where it was, not started again elsewhere.
        var finished = final[jobs.IndexOf(running!)];
        Assert.Contains(tag, finished.GetProperty("processed_by").GetString());
        Assert.Equal(1, finished.GetProperty("attempts").GetInt32());
    }

    private async Task<JsonElement?> StatusAsync(string hash, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _cluster.Http.SendAsync(request);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
