using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;
using Xunit.Abstractions;

namespace Pixerve.Gateway.Tests;

/// <summary>The OpenAPI document the gateway serves: every route, each operation's status codes, and the same as the checked-in copy the clients are written against.</summary>
[Collection(PixerveCollection.Name)]
public sealed class OpenApiTests(PixerveFixture fixture, ITestOutputHelper output)
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
        Assert.Equal(["200", "400", "401", "404", "503"], Codes("/status", "get"));
        Assert.Equal(["200", "400", "401", "404", "409", "503"], Codes("/cancel", "delete"));
        Assert.Equal(["200", "400", "401", "404", "503"], Codes("/success", "get"));
        Assert.Equal(["200", "400", "401", "403", "503"], Codes("/success/list", "get"));
        Assert.Equal(["get"], paths.GetProperty("/status").EnumerateObject().Select(m => m.Name).Where(m => m is "get" or "post" or "put" or "delete"));
        Assert.Equal(["200", "503"], Codes("/health", "get"));
        Assert.Equal(["200", "201", "400", "401", "403", "415", "503"], Codes("/admin/credentials", "post"));
    }

    [Fact]
    public async Task Every_operation_has_an_id_and_the_credentials_it_takes()
    {
        var document = await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name != "parameters").Select(o => (Key: $"{o.Name.ToUpperInvariant()} {p.Name}", Operation: o.Value)))
            .ToDictionary(o => o.Key, o => o.Operation);
        var ids = operations.Select(o => o.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();
        Assert.DoesNotContain(null, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("jobToken").GetProperty("scheme").GetString());
        Assert.Equal("bearer", schemes.GetProperty("adminToken").GetProperty("scheme").GetString());
        Assert.Equal("basic", schemes.GetProperty("adminBasic").GetProperty("scheme").GetString());
        // Each alternative's schemes joined by '+', the alternatives by ' | '; an empty alternative is "no credential".
        string Security(string operation) => string.Join(" | ", operations[operation].GetProperty("security").EnumerateArray()
            .Select(r => string.Join("+", r.EnumerateObject().Select(s => s.Name))));
        Assert.Equal("jobToken", Security("POST /upload"));
        Assert.Equal("jobToken", Security("PATCH /uploads/{id}"));
        Assert.Equal("jobToken | adminToken", Security("GET /status"));
        Assert.Equal("adminToken | adminBasic", Security("GET /success/list"));
        Assert.Equal("adminToken | adminBasic", Security("POST /admin/credentials"));
        Assert.Equal(" | adminToken | adminBasic", Security("GET /health"));
        Assert.False(operations["GET /version"].TryGetProperty("security", out _));
    }

    [Fact]
    public async Task The_document_declares_each_answer_shape_in_the_wires_terms_and_the_builds_version()
    {
        var document = await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var version = await fixture.Http.GetFromJsonAsync<JsonElement>("/version");
        Assert.Equal(version.GetProperty("version").GetString(), document.GetProperty("info").GetProperty("version").GetString());
        // No .NET type names: the upload form is the multipart body it is, token optional, several files.
        Assert.DoesNotContain("IFormFile", document.GetRawText());
        var form = document.GetProperty("paths").GetProperty("/upload").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Assert.Equal(["file"], form.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("array", form.GetProperty("properties").GetProperty("file").GetProperty("type").GetString());
        Assert.Equal("string", form.GetProperty("properties").GetProperty("token").GetProperty("type").GetString());

        JsonElement Ok(string path) => document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses")
            .GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        // A job token's StatusResponse and the admin's every-job-of-a-hash list: both shapes, told apart by what they require.
        Assert.Equal(2, Ok("/status").GetProperty("oneOf").GetArrayLength());
        var success = Ok("/success").GetProperty("anyOf").EnumerateArray().ToList();
        Assert.Contains(success, s => Properties(document, s).Contains("file_count") && Properties(document, s).Contains("job_data"));
        var failure = Ok("/failures").GetProperty("anyOf").EnumerateArray().ToList();
        Assert.Contains(failure, s => Properties(document, s).Contains("error") && Properties(document, s).Contains("timestamp"));
        Assert.True(document.GetProperty("paths").GetProperty("/health").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("application/json", out _));
    }

    /// <summary>The property names of a schema, inline or by reference.</summary>
    private static string[] Properties(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        return schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();
    }

    [Fact]
    public async Task Every_answer_the_fixtures_clients_receive_is_checked_against_the_document()
    {
        var contract = PixerveFixture.Contract;
        var before = contract.Checked;
        using (await fixture.Http.GetAsync("/version")) { }
        using (await fixture.Http.GetAsync("/status?hash=abc")) { }
        Assert.True(contract.Checked >= before + 2, $"{contract.Checked - before} answers checked of the 2 this test received");

        // The checker itself, on a copy of the document (its counts stay the run's): a shape, a status and a
        // content type the document does not declare are each named, with the method, path and status.
        var copy = new OpenApiContract(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "openapi", "pixerve.v1.json")));
        var wrongShape = copy.Check("GET", "/version", 200, "application/json; charset=utf-8", """{"version": 1}""");
        Assert.NotNull(wrongShape);
        Assert.Contains("GET /version answered 200", wrongShape);
        Assert.Contains("/version", wrongShape);
        Assert.Contains("the body does not match its schema", wrongShape);
        Assert.Contains("not declared", copy.Check("GET", "/version", 418, null, null));
        Assert.Contains("content type application/json is not declared", copy.Check("GET", "/status", 401, "application/json", """{"status": 401}"""));
        Assert.Contains("the body does not match", copy.Check("GET", "/status", 200, "application/json", """{"jobs": []}"""));
        Assert.Null(copy.Check("GET", "/status", 401, "application/problem+json",
            """{"type": "t", "title": "Unauthorized", "status": 401, "detail": "send a token"}"""));
        // A problem without a detail breaks the contract: every 4xx says what to do.
        Assert.NotNull(copy.Check("GET", "/status", 401, "application/problem+json", """{"type": "t", "title": "Unauthorized", "status": 401}"""));
        Assert.Equal(5, copy.Mismatches);
        output.WriteLine(contract.Summary);
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
