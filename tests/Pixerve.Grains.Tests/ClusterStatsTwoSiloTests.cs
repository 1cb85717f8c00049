using System.Net.Http.Json;
using System.Text.Json;
using Orleans.TestingHost;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary><c>GET /admin/stats</c> across silos: each reports its own queue, and a silo that stops leaves the list.</summary>
[Collection(TwoSiloCollection.Name)]
public sealed class ClusterStatsTwoSiloTests(TwoSiloFixture fixture)
{
    private static readonly string[] Images = ["va.jpg", "vb.jpg", "va.webp", "vb.webp", "gray.jpg", "cmyk.jpg"];

    private IReadOnlyList<SiloHandle> Silos => fixture.Cluster.GetActiveSilos().ToList();

    private async Task<Dictionary<string, int>> ReportedQueuesAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"ops:{PixerveFixture.AdminToken}")));
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        var stats = await response.Content.ReadFromJsonAsync<JsonElement>();
        var silos = stats.GetProperty("silos").EnumerateArray()
            .ToDictionary(s => s.GetProperty("silo").GetString()!, s => s.GetProperty("queued").GetInt32());
        Assert.Equal(silos.Values.Sum(), stats.GetProperty("queued").GetInt32());
        return silos;
    }

    [Fact]
    public async Task Every_silo_reports_its_own_queue_and_a_stopped_one_leaves_the_stats()
    {
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "stats/two" });
        var hashes = new List<string>();
        foreach (var silo in Silos) fixture.Queue(silo).Pause();
        try
        {
            foreach (var image in Images) hashes.Add(await fixture.UploadAsync(image, token));

            // Each silo's entry is its own queue's depth, and the cluster's total holds every held upload.
            Dictionary<string, int> reported = [];
            await Poll.UntilAsync(async () =>
            {
                reported = await ReportedQueuesAsync();
                var actual = Silos.ToDictionary(s => s.SiloAddress.ToString(), s => fixture.Queue(s).Depth);
                return actual.Values.Sum() >= Images.Length && actual.All(a => reported.GetValueOrDefault(a.Key, -1) == a.Value);
            }, TimeSpan.FromSeconds(30), "every silo's queue to be reported");
            Assert.Equal(Silos.Select(s => s.SiloAddress.ToString()).Order(), reported.Keys.Order());

            var stopped = fixture.Cluster.SecondarySilos.First();
            var name = stopped.SiloAddress.ToString();
            await fixture.Cluster.StopSiloAsync(stopped);
            await Poll.UntilAsync(async () => !(await ReportedQueuesAsync()).ContainsKey(name), TimeSpan.FromSeconds(30),
                "the stopped silo to leave the stats");
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
        finally
        {
            foreach (var silo in Silos) fixture.Queue(silo).Resume();
        }

        foreach (var hash in hashes)
            Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(3))).GetProperty("status").GetString());
        await Poll.UntilAsync(async () =>
        {
            var reported = await ReportedQueuesAsync();
            return reported.Keys.Order().SequenceEqual(Silos.Select(s => s.SiloAddress.ToString()).Order()) && reported.Values.All(q => q == 0);
        }, TimeSpan.FromSeconds(30), "the stats to list the silos now running, with empty queues");
    }
}
