using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class CredentialApiTests(PixerveFixture fixture)
{
    private static object S3Credential(string key, string secret = "s3-secret-value") => new
    {
        key,
        type = "s3",
        data = new { bucket = "photos", region = "eu-west-1", serviceUrl = "http://127.0.0.1:9/", force_path_style = true, access_key_id = "AKIDTEST", secret_access_key = secret },
    };

    [Fact]
    public async Task Admin_endpoints_refuse_a_missing_or_bad_token_with_401_and_a_job_token_with_403()
    {
        using var none = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credentials", token: null));
        await HttpAssert.AssertProblem(none, HttpStatusCode.Unauthorized);
        using var bad = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credentials", token: "not-the-admin-token"));
        await HttpAssert.AssertProblem(bad, HttpStatusCode.Unauthorized);
        var jobToken = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 10 } } } }, directHost = true });
        using var job = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", S3Credential("by-job"), token: jobToken));
        await HttpAssert.AssertProblem(job, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("""{"key": "bad key", "type": "s3", "data": {}}""", "key")]
    [InlineData("""{"key": "k1", "type": "ftp", "data": {}}""", "type")]
    [InlineData("""{"key": "k1", "type": "s3"}""", "data")]
    [InlineData("""{"key": "k1", "type": "s3", "data": {"access_key_id": "a", "secret_access_key": "b"}}""", "data.bucket")]
    [InlineData("""{"key": "k1", "type": "s3", "data": {"bucket": "b", "access_key_id": "a"}}""", "data.secret_access_key")]
    [InlineData("""{"key": "k1", "type": "s3", "data": {"bucket": "b", "access_key_id": "a", "secret_access_key": "c", "serviceUrl": "ftp://x"}}""", "data.service_url")]
    [InlineData("""{"key": "k1", "type": "s3", "data": {"bucket": "b", "colour": "red"}}""", "data.colour")]
    [InlineData("""{"key": "k1", "type": "sftp", "data": {"host": "h", "username": "u", "password": "p", "port": 70000, "accept_any_host_key": true}}""", "data.port")]
    [InlineData("""{"key": "k1", "type": "sftp", "data": {"host": "h", "username": "u", "accept_any_host_key": true}}""", "data.password")]
    [InlineData("""{"key": "k1", "type": "sftp", "data": {"host": "h", "username": "u", "password": "p"}}""", "data.host_key_fingerprint")]
    [InlineData("""{"key": "k1", "type": "gcs", "data": {"bucket": "b", "service_account_json": "not json"}}""", "data.service_account_json")]
    [InlineData("""{"key": "k1", "type": "direct", "data": {"path": "relative/dir"}}""", "data.path")]
    public async Task A_bad_credential_is_400_naming_the_field(string json, string field)
    {
        var request = fixture.Admin(HttpMethod.Post, "/admin/credentials");
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await fixture.Http.SendAsync(request);
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_credential_is_created_listed_read_replaced_and_deleted_without_its_secret_ever_shown()
    {
        const string secret = "very-secret-access-key-0001";
        using (var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", S3Credential("lifecycle", secret))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.DoesNotContain(secret, await created.Content.ReadAsStringAsync());
        }

        using (var list = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credentials")))
        {
            var text = await list.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, text);
            var item = JsonDocument.Parse(text).RootElement.GetProperty("credentials").EnumerateArray().Single(c => c.GetProperty("key").GetString() == "lifecycle");
            Assert.Equal("s3", item.GetProperty("type").GetString());
            Assert.Equal(["key", "type"], item.EnumerateObject().Select(p => p.Name));
        }

        using (var read = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credentials/lifecycle")))
        {
            var text = await read.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, text);
            var body = JsonDocument.Parse(text).RootElement;
            Assert.Equal("photos", body.GetProperty("data").GetProperty("bucket").GetString());
            Assert.Equal("http://127.0.0.1:9/", body.GetProperty("data").GetProperty("service_url").GetString());
            Assert.True(body.GetProperty("data").GetProperty("force_path_style").GetBoolean());
            Assert.False(body.GetProperty("data").TryGetProperty("secret_access_key", out _));
            Assert.Equal(["secret_access_key"], body.GetProperty("secret_fields").EnumerateArray().Select(e => e.GetString()));
        }

        using (var replaced = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", S3Credential("lifecycle", secret))))
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        using (var deleted = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Delete, "/admin/credentials/lifecycle")))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var gone = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credentials/lifecycle")))
            await HttpAssert.AssertProblem(gone, HttpStatusCode.NotFound);
        using (var again = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Delete, "/admin/credentials/lifecycle")))
            await HttpAssert.AssertProblem(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_credential_routes()
    {
        var document = await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Where(p => p.StartsWith("/admin/credentials", StringComparison.Ordinal));
        Assert.Equivalent(new[] { "/admin/credentials", "/admin/credentials/{key}", "/admin/credentials/{key}/test" }, paths.ToArray(), strict: true);
    }

    [Fact]
    public async Task Secrets_are_encrypted_in_grain_storage()
    {
        const string secret = "secret-that-must-not-be-stored-in-clear";
        using var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", S3Credential("at-rest", secret)));
        await HttpAssert.AssertOk(created);

        var container = new BlobServiceClient(fixture.StorageConnectionString).GetBlobContainerClient("pixerve-credentials");
        var contents = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
            contents.Add((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());

        Assert.Contains(contents, c => c.Contains("at-rest") && c.Contains("AKIDTEST"));
        Assert.DoesNotContain(contents, c => c.Contains(secret) || c.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))));
    }

    [Fact]
    public async Task An_upload_naming_an_unknown_key_or_a_key_of_another_type_is_400_naming_the_backend()
    {
        using (var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", S3Credential("only-s3"))))
            await HttpAssert.AssertOk(created);

        foreach (var (storageKeys, field) in new (object, string)[]
                 {
                     (new { s3 = "no-such-key" }, "storageKeys.s3"),
                     (new { sftp = "only-s3" }, "storageKeys.sftp"),
                     (new { ftp = "only-s3" }, "storageKeys.ftp"),
                 })
        {
            var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 10 } } } }, storageKeys });
            using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));
            var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
    }
}
