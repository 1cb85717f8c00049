using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.GrainInterfaces.Operations;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class ClusterStatsTests(PixerveFixture fixture)
{
    private static object Job(string subDir) => new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir };

    private async Task<JsonElement> StatsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        request.Headers.Authorization = AdminPagesTests.Basic("ops", PixerveFixture.AdminToken);
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement? Silo(JsonElement stats, string silo) =>
        stats.GetProperty("silos").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(s => s!.Value.GetProperty("silo").GetString() == silo);

    [Fact]
    public async Task Stats_show_the_depth_of_a_paused_queue_and_its_draining()
    {
        var primary = fixture.Cluster.Primary!.SiloAddress.ToString();
        var images = new[] { "va.jpg", "vb.webp", "gray.jpg" };
        var token = fixture.Token(Job("stats/paused"));
        var hashes = new List<string>();
        JsonElement stats = default;
        fixture.Queue().Pause();
        try
        {
            foreach (var image in images) hashes.Add(await fixture.UploadAsync(image, token));
            await Poll.UntilAsync(async () =>
            {
                stats = await StatsAsync();
                // What the silo's queue really holds: the three uploads, waiting.
                var depth = fixture.Queue().Depth;
                return depth >= images.Length && Silo(stats, primary)?.GetProperty("queued").GetInt32() == depth;
            }, TimeSpan.FromSeconds(30), "the paused queue's depth to be reported");
        }
        finally
        {
            fixture.Queue().Resume();
        }

        var silo = Silo(stats, primary)!.Value;
        Assert.Equal(0, silo.GetProperty("running").GetInt32());
        Assert.True(silo.GetProperty("updated_at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal(stats.GetProperty("silos").EnumerateArray().Sum(s => s.GetProperty("queued").GetInt32()), stats.GetProperty("queued").GetInt32());
        Assert.True(stats.GetProperty("queued").GetInt32() >= images.Length);

        foreach (var hash in hashes) Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        await Poll.UntilAsync(async () =>
        {
            stats = await StatsAsync();
            return stats.GetProperty("queued").GetInt32() == 0 && stats.GetProperty("running").GetInt32() == 0;
        }, TimeSpan.FromSeconds(30), "the drained queue to be reported");
        Assert.NotNull(Silo(stats, primary));
    }

    [Fact]
    public async Task A_silo_that_stops_reporting_is_dropped_and_one_that_leaves_is_gone_at_once()
    {
        // Report is the silos' own call: made as a silo makes it, not as a cluster client.
        var stats = fixture.SiloService<IGrainFactory>().GetGrain<IClusterStatsGrain>(0);
        await stats.Report(new SiloQueueReport("silent-silo", 7, 1, TimeSpan.FromMilliseconds(100)));
        await stats.Report(new SiloQueueReport("leaving-silo", 3, 0, TimeSpan.FromHours(1)));
        var listed = await stats.Silos();
        Assert.Contains(listed, s => s is { Silo: "silent-silo", Queued: 7, Running: 1 });
        Assert.Contains(listed, s => s.Silo == "leaving-silo");

        await stats.Forget("leaving-silo");
        Assert.DoesNotContain(await stats.Silos(), s => s.Silo == "leaving-silo");
        await Poll.UntilAsync(async () => (await stats.Silos()).All(s => s.Silo != "silent-silo"), TimeSpan.FromSeconds(30),
            "the silent silo to be dropped");
        Assert.Contains(await stats.Silos(), s => s.Silo == fixture.Cluster.Primary!.SiloAddress.ToString());
    }
}
