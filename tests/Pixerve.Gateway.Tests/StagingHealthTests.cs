using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>The gateway's health answers when its staging storage is down.</summary>
[Collection(PixerveCollection.Name)]
public sealed class StagingHealthTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Health_is_503_naming_the_failed_check_and_the_gateway_not_ready_when_staging_storage_is_down()
    {
        // The same account at a port nothing listens on: the gateway's staging probe fails, the cluster is fine.
        var closed = ServerProcess.FreePort();
        var down = System.Text.RegularExpressions.Regex.Replace(fixture.StorageConnectionString, @"127\.0\.0\.1:\d+", $"127.0.0.1:{closed}");
        var (gateway, http) = await fixture.StartGatewayAsync($"--Pixerve:Storage:ConnectionString={down}");
        await using var _ = gateway;
        using var __ = http;

        using var response = await http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("staging").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cluster").GetString());

        // The probes: still alive, not ready; the fixture's own gateway is both.
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var notReady = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        using var ready = await fixture.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
