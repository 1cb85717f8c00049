using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

[Collection(PixerveCollection.Name)]
public sealed class ServiceTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Health_reports_storage_and_cluster_healthy()
    {
        using var response = await fixture.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("staging").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cluster").GetString());
        Assert.True(body.TryGetProperty("timestamp", out _));
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
}
