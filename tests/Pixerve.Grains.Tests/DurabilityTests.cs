using Orleans.TestingHost;
using Xunit.Abstractions;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// Two in-process silos, so one can stop while the other (and a newcomer) carry on, with fault injection on each
/// and a three-second resume period. SIGKILL of a real process: <see cref="SiloProcessTests"/>.
/// </summary>
public sealed class TwoSiloFixture : PixerveFixture
{
    protected override int SiloCount => 2;

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FaultInjectionConfigurator>();
}

// A cluster of its own on 2 cores: not run beside the other clusters, so jobs caught mid-run are not starved.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloFixture>
{
    public const string Name = "Two-silo cluster";
}

/// <summary>
/// Jobs recover by themselves. After the stop or fault nothing asks a job anything (a status read queues a pending
/// job again by itself): the tests wait for the outputs in the serve directory, and read statuses only once all exist.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class DurabilityTests(TwoSiloFixture fixture, ITestOutputHelper output)
{
    /// <summary>The fixture's <c>Pixerve:Jobs:ResumePeriod</c>: how often the staging sweep asks each job about its staged upload.</summary>
    private static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(3);

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

    private FaultInjector Faults(SiloHandle silo) => fixture.SiloService<FaultInjector>(silo);

    [Fact]
    public async Task Pending_jobs_of_a_restarted_silo_complete_by_themselves()
    {
        var subDir = $"durability/restart-{Guid.NewGuid():N}";
        var token = Token(subDir);
        // Every queue is held while uploading, so each silo's queue has jobs when the test acts.
        foreach (var silo in Silos) fixture.Queue(silo).Pause();
        var jobs = new List<ExpectedOutputs>();
        foreach (var image in Images)
            jobs.Add(await fixture.UploadExpectingAsync(await File.ReadAllBytesAsync(RepositoryPaths.Image(image)), image, token, subDir));
        var restarted = fixture.Cluster.SecondarySilos.First();
        Assert.True(fixture.Queue(restarted).Depth > 0, "the silo to be restarted holds queued jobs");

        await fixture.Cluster.StopSiloAsync(restarted);
        await fixture.Cluster.StartAdditionalSiloAsync();
        fixture.Queue(fixture.Cluster.Primary).Resume();

        // The stopped silo's jobs are queued nowhere: only the staging sweep brings them back (within a period),
        // then twelve small conversions on two silos.
        var took = await ServedFiles.WaitForAsync(fixture.ServeDir, jobs, ResumePeriod + TimeSpan.FromSeconds(60),
            "the stopped silo's jobs resumed by the staging sweep");
        output.WriteLine($"all {jobs.Count} jobs' outputs stored {took.Values.Max().TotalSeconds:F1} s after the restart");

        foreach (var job in jobs)
            Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(job.Hash, token)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_job_whose_queue_entry_was_lost_is_queued_again_by_the_staging_sweep_with_nobody_looking()
    {
        var subDir = $"durability/lost-entry-{Guid.NewGuid():N}";
        var token = Token(subDir);
        // The worker takes the job off the queue, then its call to start it breaks: the job's grain stays active,
        // waiting and queued nowhere. Armed on every silo: the job's grain is placed at random.
        foreach (var silo in Silos) Faults(silo).Arm("IJobGrain.TryStart", 1);
        ExpectedOutputs job;
        try
        {
            job = await fixture.UploadExpectingAsync(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token, subDir);
            await Poll.UntilAsync(() => Silos.Sum(s => Faults(s).Fired("IJobGrain.TryStart")) >= 1, TimeSpan.FromMinutes(1), "the start to break");
        }
        finally
        {
            foreach (var silo in Silos) Faults(silo).Disarm("IJobGrain.TryStart");
        }

        // Nothing activates the grain anew, so only the sweep asking the job about its staged upload can queue it.
        var took = await ServedFiles.WaitForAsync(fixture.ServeDir, [job], ResumePeriod + TimeSpan.FromSeconds(30),
            "a lost queue entry put back by the staging sweep");
        output.WriteLine($"outputs stored {took[job.JobId].TotalSeconds:F1} s after the start broke (resume period {ResumePeriod.TotalSeconds:F0} s)");

        var final = await fixture.WaitUntilFinalAsync(job.Hash, token);
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal(1, final.GetProperty("attempts").GetInt32());
    }
}
