using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pixerve.Testing.Fixtures;

/// <summary>Assertions on gateway answers that say what came back when they fail.</summary>
public static class HttpAssert
{
    public static async Task AssertOk(HttpResponseMessage response)
    {
        // Read the body only to explain a failure: a streaming answer may not end yet.
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>An RFC 7807 problem with this status and a detail; returns its body.</summary>
    public static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
