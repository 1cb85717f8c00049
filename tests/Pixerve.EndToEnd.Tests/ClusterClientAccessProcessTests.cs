using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.GrainInterfaces.Storage;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// A silo process started as the README starts one (no cluster TLS), and an Orleans client that reaches its gateway
/// port as any process on the network could: without the cluster client key it calls no Pixerve grain; with it, only
/// what the gateway needs, never the credential store's <c>Resolve</c>, a store, a conversion or a cleanup.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class ClusterClientAccessProcessTests
{
    private const string AdminToken = "cluster-client-access-admin-token-0123456789";
    private const string Password = "sftp-password-that-must-never-leave-7c2d";

    [Fact]
    public async Task A_client_on_the_silo_port_reaches_only_what_the_gateway_needs_and_only_with_the_key()
    {
        var clusterId = $"access-{Guid.NewGuid():N}";
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:Cluster:Id"] = clusterId,
            ["Pixerve:AdminToken"] = AdminToken,
        });
        var key = $"bare-{Guid.NewGuid():N}"[..16];
        using (var put = new HttpRequestMessage(HttpMethod.Post, "/admin/credentials"))
        {
            put.Headers.Authorization = new("Bearer", AdminToken);
            put.Content = System.Net.Http.Json.JsonContent.Create(new
            {
                key, type = "sftp", data = new { host = "127.0.0.1", port = 1, username = "u", password = Password, accept_any_host_key = true },
            });
            using var created = await cluster.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var bare = await ConnectAsync(cluster.StorageConnectionString, clusterId, withKey: false))
        {
            var grains = bare.Services.GetRequiredService<IClusterClient>();
            var credentials = grains.GetGrain<ICredentialStoreGrain>(0);
            await AssertRefusedAsync(() => credentials.Resolve(key), "Resolve");
            await AssertRefusedAsync(() => credentials.List(), "List");
            await AssertRefusedAsync(() => credentials.Put(new CredentialDefinition("evil", "direct",
                new Dictionary<string, string> { ["path"] = "/tmp" }, new Dictionary<string, string>())), "Put");
            await AssertRefusedAsync(() => credentials.Delete(key), "Delete");
            await AssertRefusedAsync(() => grains.GetGrain<IJobGrain>(new string('a', 64)).GetSnapshot(), "IJobGrain.GetSnapshot");
            await AssertRefusedAsync(() => grains.GetGrain<IStorageGrain>("directHost").Store(
                new StoreRequest(null, "bare", [new OutputFile("x.txt", "text/plain", Encoding.UTF8.GetBytes("x"), 1, 1)])), "Store");
            await AssertRefusedAsync(() => grains.GetGrain<ICleanupGrain>(0).Run(DateTimeOffset.UtcNow.AddYears(1)), "Cleanup");
            // Orleans' own grains answer (the same connection works), so the refusals above are Pixerve's filter.
            Assert.Single(await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
        }

        using (var keyed = await ConnectAsync(cluster.StorageConnectionString, clusterId, withKey: true))
        {
            var grains = keyed.Services.GetRequiredService<IClusterClient>();
            var credentials = grains.GetGrain<ICredentialStoreGrain>(0);
            Assert.Contains(await credentials.List(), c => c.Key == key);
            await AssertRefusedAsync(() => credentials.Resolve(key), "Resolve with the key");
            await AssertRefusedAsync(() => grains.GetGrain<IJobGrain>(new string('a', 64)).TryStart("intruder"), "TryStart");
            await AssertRefusedAsync(() => grains.GetGrain<IConverterGrain>(0).Convert(null!), "Convert");
            await AssertRefusedAsync(() => grains.GetGrain<ICleanupGrain>(0).Run(DateTimeOffset.UtcNow.AddYears(1)), "Cleanup with the key");
        }

        // Nothing the refused calls asked for happened: the credential is still there.
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/admin/credentials/{key}");
        get.Headers.Authorization = new("Bearer", AdminToken);
        using var still = await cluster.Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    private static async Task AssertRefusedAsync(Func<Task> call, string what)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(call);
        Assert.True(error.ToString().Contains("not callable from a cluster client", StringComparison.Ordinal), $"{what}: {error}");
    }

    /// <summary>A bare Orleans client on the cluster, finding it as the gateway does; with or without the derived key.</summary>
    private static async Task<IHost> ConnectAsync(string connectionString, string clusterId, bool withKey)
    {
        var host = BareClusterClient.Build(connectionString, clusterId, client =>
        {
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            if (withKey)
                client.AddPixerveClientKey(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [PixerveConfiguration.StorageConnectionStringKey] = connectionString,
                }).Build());
        });
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await host.StartAsync(deadline.Token);
        return host;
    }
}
