using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class ServiceTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Health_reports_storage_and_cluster_healthy()
    {
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("staging").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cluster").GetString());
        Assert.True(body.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task Health_without_the_admin_token_answers_the_overall_status_only()
    {
        foreach (var token in new[] { null, fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 10 } } } }, directHost = true }) })
        {
            using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health", token: token));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["status", "timestamp"], body.EnumerateObject().Select(p => p.Name));
            Assert.Equal("healthy", body.GetProperty("status").GetString());
        }

        using var admin = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        var detailed = await admin.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(detailed.TryGetProperty("backends", out _));
        Assert.True(detailed.TryGetProperty("checks", out _));
    }

    [Fact]
    public async Task Version_names_the_build()
    {
        var body = await fixture.Http.GetFromJsonAsync<JsonElement>("/version");
        Assert.Matches(@"^\d+\.\d+\.\d+", body.GetProperty("version").GetString());
        Assert.StartsWith("10.", body.GetProperty("orleans").GetString());
    }

    [Fact]
    public async Task Unknown_route_is_404_problem()
    {
        using var response = await fixture.Http.GetAsync("/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_method_is_405_problem()
    {
        using var response = await fixture.Http.PutAsync("/status", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
