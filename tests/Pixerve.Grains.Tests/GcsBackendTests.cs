using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>The real Google.Cloud.Storage.V1 client against <see cref="FakeGcsServer"/> (no GCS emulator installs here).</summary>
[Collection(PixerveCollection.Name)]
public sealed class GcsBackendTests(PixerveFixture fixture) : IAsyncLifetime
{
    private FakeGcsServer _gcs = null!;

    // The backend servers start when a test first needs them; these tests store to them.
    public async Task InitializeAsync()
    {
        _gcs = await fixture.GcsAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Gcs_credential_passes_its_probe_and_a_job_stores_the_produced_bytes_there()
    {
        var data = new { bucket = "pixerve-gcs", prefix = "media", base_uri = _gcs.BaseUri, service_account_json = ServiceAccount() };
        using (var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key = "gcs-main", type = "gcs", data })))
        {
            await HttpAssert.AssertOk(created);
            Assert.DoesNotContain("PRIVATE KEY", await created.Content.ReadAsStringAsync());
        }

        using (var probe = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials/gcs-main/test")))
            await HttpAssert.AssertOk(probe);
        Assert.DoesNotContain(_gcs.Objects.Keys, k => k.Contains(".pixerve-probe-"));
        // The client gzips JSON request bodies (the upload initiation); the fake must have read them that way.
        Assert.True(_gcs.GzipBodies > 0);

        var job = new
        {
            formats = new { webp = new { sizes = new[] { new[] { 48 } } } },
            keepOriginal = true,
            directHost = true,
            subDir = "gcs/case",
            storageKeys = new { gcs = "gcs-main" },
        };
        var token = fixture.Token(job);
        using var upload = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("va.jpg"), token));
        await HttpAssert.AssertOk(upload);
        var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var status = await fixture.WaitUntilFinalAsync(body.GetProperty("hash").GetString()!, token);
        Assert.True("completed" == status.GetProperty("status").GetString(), status.ToString());

        foreach (var name in body.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()!))
        {
            var stored = status.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name && f.GetProperty("backend").GetString() == "gcs");
            Assert.Equal($"gs://pixerve-gcs/media/gcs/case/{name}", stored.GetProperty("location").GetString());
            using var served = await fixture.Http.GetAsync($"/files/gcs/case/{name}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(await served.Content.ReadAsByteArrayAsync(), _gcs.Objects[$"pixerve-gcs/media/gcs/case/{name}"]);
        }
    }

    [Fact]
    public async Task A_server_error_is_retried_and_the_job_still_completes()
    {
        var data = new { bucket = "pixerve-gcs", prefix = "retry", base_uri = _gcs.BaseUri, service_account_json = ServiceAccount() };
        using (var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key = "gcs-retry", type = "gcs", data })))
            await HttpAssert.AssertOk(created);
        _gcs.FailPrefix = "retry/";
        _gcs.FailuresLeft = 2;
        try
        {
            var job = new { formats = new { png = new { sizes = new[] { new[] { 24 } } } }, subDir = "r", storageKeys = new { gcs = "gcs-retry" } };
            var token = fixture.Token(job);
            using var upload = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("gray.jpg"), token));
            await HttpAssert.AssertOk(upload);
            var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
            var status = await fixture.WaitUntilFinalAsync(body.GetProperty("hash").GetString()!, token);

            Assert.True("completed" == status.GetProperty("status").GetString(), status.ToString());
            Assert.True(_gcs.FailuresLeft < 0, "both injected failures were hit");
            var name = body.GetProperty("expected_files")[0].GetString();
            Assert.True(_gcs.Objects.ContainsKey($"pixerve-gcs/retry/r/{name}"));
        }
        finally
        {
            _gcs.FailPrefix = null;
        }
    }

    private Dictionary<string, string> ServiceAccount()
    {
        using var rsa = RSA.Create(2048);
        return new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "pixerve-test",
            ["private_key_id"] = "test-key",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "pixerve@pixerve-test.iam.gserviceaccount.com",
            ["client_id"] = "1",
            ["token_uri"] = _gcs.BaseUri + "token",
        };
    }
}
