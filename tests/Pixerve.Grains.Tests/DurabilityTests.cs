using System.Text.Json;
using Orleans.TestingHost;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

/// <summary>Two in-process silos, so one can stop while the other (and a newcomer) carry on. SIGKILL of a real process: <see cref="SiloProcessTests"/>.</summary>
public sealed class TwoSiloFixture : PixerveFixture
{
    protected override int SiloCount => 2;
}

// A cluster of its own on 2 cores: not run beside the other clusters, so jobs caught mid-run are not starved.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloFixture>
{
    public const string Name = "Two-silo cluster";
}

[Collection(TwoSiloCollection.Name)]
public sealed class DurabilityTests(TwoSiloFixture fixture)
{
    private static readonly string[] Images =
    [
        "alpha.png", "cmyk.jpg", "gray.jpg", "orient-6.jpg", "photo-1920x1280-canon.jpg", "photo-2560x1600.jpg",
        "photo-wood.webp", "progressive.jpg", "va.jpg", "va.webp", "vb.jpg", "vb.webp",
    ];

    private string Token(string subDir) => fixture.Token(new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 800 } } }, webp = new { sizes = new[] { new[] { 300 } } } },
        directHost = true,
        subDir,
    });

    private IReadOnlyList<SiloHandle> Silos => fixture.Cluster.GetActiveSilos().ToList();

    /// <summary>Uploads every image while all queues are held, so each silo's queue has jobs when the test acts.</summary>
    private async Task<List<string>> UploadHeldAsync(string token)
    {
        foreach (var silo in Silos) fixture.Queue(silo).Pause();
        var hashes = new List<string>();
        foreach (var image in Images) hashes.Add(await fixture.UploadAsync(image, token));
        return hashes;
    }

    private async Task<List<JsonElement>> WaitForAllAsync(IEnumerable<string> hashes, string token)
    {
        var results = new List<JsonElement>();
        foreach (var hash in hashes) results.Add(await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(3)));
        return results;
    }

    [Fact]
    public async Task Pending_jobs_of_a_restarted_silo_complete_by_themselves()
    {
        var token = Token("durability/restart");
        var hashes = await UploadHeldAsync(token);
        var restarted = fixture.Cluster.SecondarySilos.First();
        Assert.True(fixture.Queue(restarted).Depth > 0, "the silo to be restarted holds queued jobs");

        await fixture.Cluster.StopSiloAsync(restarted);
        await fixture.Cluster.StartAdditionalSiloAsync();
        fixture.Queue(fixture.Cluster.Primary).Resume();

        var results = await WaitForAllAsync(hashes, token);
        Assert.All(results, r => Assert.Equal("completed", r.GetProperty("status").GetString()));
    }
}
