using System.Net;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>An upload the cluster has no room for is refused before anything of it is kept.</summary>
[Collection(PixerveCollection.Name)]
public sealed class OverloadTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 50 } } } }, directHost = true, subDir = "ops" };

    [Fact]
    public async Task Upload_to_a_saturated_cluster_gets_503_and_stages_nothing()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var queue = fixture.Queue();
        var capacity = queue.Capacity;
        queue.Capacity = 0;
        var subject = $"saturated-{Guid.NewGuid():N}";
        try
        {
            using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("gray.jpg"),
                TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: subject)));
            await HttpAssert.AssertProblem(response, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            queue.Capacity = capacity;
        }

        await fixture.AssertNothingNewStagedAsync(before);
        // The job never came to be: it holds no place in its subject's share of pending jobs.
        Assert.Equal(0, await SubjectJobs.For(fixture.SiloService<IGrainFactory>(), subject).Count());
    }
}
