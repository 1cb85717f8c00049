using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>The name registry of one content hash (<see cref="IContentJobsGrain"/>), on the test cluster.</summary>
[Collection(PixerveCollection.Name)]
public sealed class NameRegistryTests(PixerveFixture fixture)
{
    private static string NewHash() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    [Fact]
    public void A_claim_names_each_output_in_each_place_it_is_stored()
    {
        var spec = new JobSpec
        {
            Formats = [new FormatRequest(OutputFormat.Png, null, null, [new BoxSize(10, 10)])],
            DirectHost = true,
            StorageKeys = new Dictionary<string, string> { ["s3"] = "media", ["direct"] = "disk" },
            SubDir = "x/y",
        };
        var plan = OutputPlan.For(NewHash(), "cat", SourceFormat.Png, spec);

        var claims = OutputClaim.For(spec, plan);

        Assert.Equal(["directHost/x/y", "s3:media/x/y", "direct:disk/x/y"], claims.Select(c => c.Location));
        Assert.All(claims, c => Assert.Equal((plan[0].Name, plan[0].Fingerprint), (c.Name, c.Fingerprint)));
    }

    [Fact]
    public async Task A_name_held_in_a_place_for_other_work_is_refused_and_nothing_of_the_refused_job_is_recorded()
    {
        var hash = NewHash();
        var registry = fixture.SiloService<IGrainFactory>().GetGrain<IContentJobsGrain>(hash);
        var name = $"{hash}_victim_64_64_.jpg";
        var copy = $"{hash}_victim.jpg";
        OutputClaim[] first = [new("directHost/d", name, "quality-95"), new("directHost/d", copy, "source")];

        Assert.True((await registry.Add("job-a", first)).IsGranted);

        // Same place, same name, other work: refused, naming only that name.
        var other = $"{hash}_victim_32_32_.jpg";
        var refused = await registry.Add("job-b",
            [new("directHost/d", name, "quality-5-fill"), new("directHost/d", copy, "source"), new("directHost/d", other, "b")]);
        Assert.False(refused.IsGranted);
        Assert.Equal([new OutputClaim("directHost/d", name, "quality-5-fill")], refused.Conflicts);
        Assert.Equal(["job-a"], await registry.List());

        // Nothing of job-b was claimed or listed: its free name can still go to other work.
        Assert.True((await registry.Add("job-c", [new("directHost/d", other, "c")])).IsGranted);
        Assert.Equal(["job-a", "job-c"], await registry.List());

        // The same work again (a resubmission, another claim asking for identical output) is no conflict; nor is
        // the same name in another place, where it is another file.
        Assert.True((await registry.Add("job-a", first)).IsGranted);
        Assert.True((await registry.Add("job-d", [new("directHost/e", name, "quality-5-fill")])).IsGranted);
        Assert.True((await registry.Add("job-e", [new("s3:media/d", name, "quality-5-fill")])).IsGranted);

        // Two outputs of one job named alike for different work would be one file.
        var inside = await registry.Add("job-f", [new("directHost/g", name, "one"), new("directHost/g", name, "two")]);
        Assert.Equal([new OutputClaim("directHost/g", name, "two")], inside.Conflicts);
    }

    [Fact]
    public async Task Names_stay_claimed_after_every_job_of_the_hash_left_the_list()
    {
        var hash = NewHash();
        var registry = fixture.SiloService<IGrainFactory>().GetGrain<IContentJobsGrain>(hash);
        var name = $"{hash}_kept_10_10_.png";
        Assert.True((await registry.Add("job-a", [new("directHost/k", name, "a")])).IsGranted);

        await registry.Remove("job-a");
        Assert.Empty(await registry.List());
        // Even after the activation is gone and the state is read again.
        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.False((await registry.Add("job-b", [new("directHost/k", name, "b")])).IsGranted);
        Assert.True((await registry.Add("job-c", [new("directHost/k", name, "a")])).IsGranted);
    }
}
