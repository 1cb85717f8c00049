using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>The OpenAPI document the gateway serves: every route, each operation's status codes, and the same as the checked-in copy the clients are written against.</summary>
[Collection(PixerveCollection.Name)]
public sealed class OpenApiTests(PixerveFixture fixture)
{
    [Fact]
    public async Task OpenApi_document_lists_every_route()
    {
        var document = await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equivalent(new[]
        {
            "/upload", "/uploads", "/uploads/{id}", "/status", "/cancel", "/retry", "/success", "/failures", "/success/list", "/failures/list", "/events",
            "/files/{path}", "/health", "/version",
            "/admin/credentials", "/admin/credentials/{key}", "/admin/credentials/{key}/test", "/admin/credential-types", "/admin/stats",
            "/admin/jobs/{jobId}/status", "/admin/jobs/{jobId}/retry",
        }, paths.ToArray(), strict: true);
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("StatusResponse", out _));
        var upload = document.GetProperty("paths").GetProperty("/upload").GetProperty("post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        // One file part answers {hash, expected_files} with the job's id and status; several answer {jobs},
        // whose entries always name the file.
        var shapes = upload.GetProperty("oneOf").EnumerateArray().ToList();
        Assert.Equal(2, shapes.Count);
        Assert.Equal(["hash", "job_id", "expected_files", "status"], shapes[0].GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var entry = shapes[1].GetProperty("properties").GetProperty("jobs").GetProperty("items");
        Assert.Equal(["file"], entry.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["file", "hash", "job_id", "expected_files", "status", "error"], entry.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_openapi_document_names_each_operations_method_and_status_codes()
    {
        var paths = (await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        string[] Codes(string path, string method) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order().ToArray();

        Assert.Equal(["200", "400", "401", "408", "409", "413", "415", "429", "503"], Codes("/upload", "post"));
        Assert.Equal(["200", "400", "401", "404"], Codes("/status", "get"));
        Assert.Equal(["200", "400", "401", "404", "409"], Codes("/cancel", "delete"));
        Assert.Equal(["200", "400", "401", "404"], Codes("/success", "get"));
        Assert.Equal(["200", "400", "401", "403"], Codes("/success/list", "get"));
        Assert.Equal(["get"], paths.GetProperty("/status").EnumerateObject().Select(m => m.Name).Where(m => m is "get" or "post" or "put" or "delete"));
    }

    [Fact]
    public async Task OpenApi_document_checked_in_is_the_one_the_gateway_serves()
    {
        // openapi/pixerve.v1.json is written by the gateway's build; the clients under clients/ are written against it.
        var served = System.Text.Json.Nodes.JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        served.Remove("servers");
        var path = Path.Combine(RepositoryPaths.Root, "openapi", "pixerve.v1.json");
        var checkedIn = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(served, checkedIn),
            $"{path} differs from the document the gateway serves (first at {FirstDifference(served, checkedIn, "$")}): " +
            "build src/Pixerve.Gateway and commit the file");
        var status = served["components"]!["schemas"]!["StatusResponse"]!["properties"]!["status"]!["enum"]!.AsArray().Select(v => (string)v!);
        Assert.Equal(["pending", "processing", "completed", "failed", "cancelled"], status);
        Assert.NotNull(served["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["field"]);
    }

    private static string FirstDifference(System.Text.Json.Nodes.JsonNode? a, System.Text.Json.Nodes.JsonNode? b, string at)
    {
        if (a is System.Text.Json.Nodes.JsonObject oa && b is System.Text.Json.Nodes.JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                if (!System.Text.Json.Nodes.JsonNode.DeepEquals(oa[key], ob[key])) return FirstDifference(oa[key], ob[key], $"{at}.{key}");
        }
        else if (a is System.Text.Json.Nodes.JsonArray aa && b is System.Text.Json.Nodes.JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
                if (!System.Text.Json.Nodes.JsonNode.DeepEquals(aa[i], ab[i])) return FirstDifference(aa[i], ab[i], $"{at}[{i}]");
        }
        return $"{at}: served {a?.ToJsonString() ?? "nothing"}, checked in {b?.ToJsonString() ?? "nothing"}";
    }
}
