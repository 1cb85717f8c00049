using System.Net;
using Pixerve.Gateway.Apis;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// A stopping gateway drains before it stops listening: not ready, new uploads refused with 503 and Retry-After (so a
/// client sends them to another gateway), requests already in flight answered.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class GatewayDrainTests(PixerveFixture fixture)
{
    [Fact]
    public async Task A_stopping_gateway_is_not_ready_and_answers_new_uploads_503_with_retry_after_until_it_stops()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:ShutdownDelay=00:00:04");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 32 } } } }, directHost = true, subDir = "drain" });
        using (var ready = await http.GetAsync(ProbesApi.ReadyPath)) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var stopping = gateway.StopAsync();
        await Poll.UntilAsync(async () =>
        {
            using var ready = await http.GetAsync(ProbesApi.ReadyPath);
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(3), "/health/ready to fail once the gateway stops");

        using (var refused = await http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token)))
        {
            var problem = await HttpAssert.AssertProblem(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("stopping", problem.GetProperty("detail").GetString());
        }

        // Other requests are still answered while it drains (a status read, a download in flight).
        using (var live = await http.GetAsync(ProbesApi.LivePath)) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.False(stopping.IsCompleted, "the gateway stopped listening before its drain ended");
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(ProbesApi.LivePath));
    }
}
