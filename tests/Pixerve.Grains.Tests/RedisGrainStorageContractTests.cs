using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using Pixerve.Cluster.Redis;
using Pixerve.Grains;
using Pixerve.Grains.Records;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;

namespace Pixerve.Grains.Tests;

/// <summary>
/// What <see cref="Persistence.LazyGrainState{T}"/> relies on, held by Orleans' Redis grain storage as Pixerve
/// configures it (<c>Pixerve:Cluster:Provider = redis</c>), on a real redis-server: a write without an ETag creates a
/// record where none exists and fails with <see cref="InconsistentStateException"/> where one does (the
/// create-if-absent of job identity), also after a clear made the record absent again.
/// </summary>
public sealed class RedisGrainStorageContractTests
{
    [Fact]
    public async Task A_write_without_an_ETag_creates_once_and_is_refused_while_the_record_exists()
    {
        await using var redis = await RedisServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(redis.ClusterSettings!)).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(ServerProcess.FreePort(), ServerProcess.FreePort(), serviceId: PixerveConfiguration.ServiceId)
            .AddRedisClusterState(configuration, GrainStorageNames.Jobs));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Jobs);
            var grain = GrainId.Create("contentjobs", Guid.NewGuid().ToString("N"));

            var first = new GrainState<ContentJobsState>(Record("first"));
            await storage.WriteStateAsync("content", grain, first);
            Assert.True(first.RecordExists);

            // A second creator (another activation, another silo) loses, and the first record stays.
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("content", grain, new GrainState<ContentJobsState>(Record("second"))));
            var read = new GrainState<ContentJobsState>();
            await storage.ReadStateAsync("content", grain, read);
            Assert.Equal(["first"], read.State!.JobIds);
            Assert.True(read.RecordExists);

            // Cleared (retention), the record is absent again: the next creator succeeds.
            await storage.ClearStateAsync("content", grain, read);
            var again = new GrainState<ContentJobsState>(Record("again"));
            await storage.WriteStateAsync("content", grain, again);
            var reread = new GrainState<ContentJobsState>();
            await storage.ReadStateAsync("content", grain, reread);
            Assert.Equal(["again"], reread.State!.JobIds);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static ContentJobsState Record(string jobId) => new() { JobIds = new(StringComparer.Ordinal) { jobId } };
}
