using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// Silo processes and a gateway with <c>Pixerve:Cluster:Tls</c> on, using a self-signed certificate the test makes
/// and pins by thumbprint: the silos join each other and convert a job over TLS, and an Orleans client without
/// TLS, or with a certificate that is not pinned, cannot connect.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class ClusterTlsProcessTests
{
    [Fact]
    public async Task Silos_and_gateway_work_over_tls_and_a_client_without_the_certificate_cannot_connect()
    {
        using var certificate = TestCertificate.Create("pixerve-cluster");
        using var stranger = TestCertificate.Create("not-pixerve");
        var clusterId = $"tls-{Guid.NewGuid():N}";
        await using var cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:Cluster:Id"] = clusterId,
            ["Pixerve:Cluster:Tls:Enabled"] = "true",
            ["Pixerve:Cluster:Tls:CertificatePath"] = certificate.Path,
            ["Pixerve:Cluster:Tls:CertificatePassword"] = certificate.Password,
            ["Pixerve:Cluster:Tls:AllowedRemoteThumbprints:0"] = certificate.Thumbprint,
        });

        // Both silos joined (membership probes go silo to silo), and the gateway reaches them: a job completes.
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
            directHost = true,
            subDir = "tls",
        });
        var upload = new MultipartFormDataContent { { new ByteArrayContent(UniqueBytes.Jpeg("vb.jpg")), "file", "vb.jpg" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = upload };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await cluster.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        var hash = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        string? status = null;
        await Poll.UntilAsync(async () =>
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await cluster.Http.SendAsync(read);
            status = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            return status is "completed" or "failed";
        }, TimeSpan.FromMinutes(2), "the job to finish over TLS");
        Assert.Equal("completed", status);

        // The same cluster, asked without TLS: the silos' gateway ports speak only TLS.
        var plain = await ConnectAsync(cluster.StorageConnectionString, clusterId, tls: null, Refused);
        Assert.NotNull(plain);

        // With TLS but a certificate the silos do not pin: refused in the handshake.
        var pins = new ClusterTlsOptions { AllowedRemoteThumbprints = [certificate.Thumbprint] };
        using var strangerCertificate = X509CertificateLoader.LoadPkcs12FromFile(stranger.Path, stranger.Password);
        var unpinned = await ConnectAsync(cluster.StorageConnectionString, clusterId,
            client => client.UseTls(strangerCertificate, o => ClusterTls.Configure(o, pins, strangerCertificate)), Refused);
        Assert.NotNull(unpinned);

        // The right certificate connects from outside the gateway too, so the refusals above are TLS's doing.
        using var clusterCertificate = X509CertificateLoader.LoadPkcs12FromFile(certificate.Path, certificate.Password);
        var pinned = await ConnectAsync(cluster.StorageConnectionString, clusterId,
            client => client.UseTls(clusterCertificate, o => ClusterTls.Configure(o, pins, clusterCertificate)), TimeSpan.FromMinutes(1));
        Assert.Null(pinned);
    }

    /// <summary>
    /// How long a refused client gets: a client whose connections keep failing may retry rather than give up, so not
    /// being connected by then is the refusal. The pinned client below connects well within the same kind of bound.
    /// </summary>
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Starts a bare Orleans client on the cluster and asks it for the silos: null when it worked within
    /// <paramref name="deadline"/>, else the error (a <see cref="TimeoutException"/> when it was still trying).
    /// </summary>
    private static async Task<Exception?> ConnectAsync(string connectionString, string clusterId, Action<IClientBuilder>? tls, TimeSpan deadline)
    {
        using var host = BareClusterClient.Build(connectionString, clusterId, client =>
        {
            // Fail fast rather than wait out the defaults (a 30 s response timeout).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            client.Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = TimeSpan.FromSeconds(3));
            tls?.Invoke(client);
        });
        using var expiry = new CancellationTokenSource(deadline);
        try
        {
            await host.StartAsync(expiry.Token);
            var hosts = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0)
                .GetHosts(onlyActive: true).WaitAsync(expiry.Token);
            Assert.Equal(2, hosts.Count);
            return null;
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            return new TimeoutException($"not connected within {deadline.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return e;
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (Exception)
            {
                // A client that never connected has nothing to stop.
            }
        }
    }
}
