using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Storage;
using Pixerve.Storage.Credentials;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>A storage backend is a provider the host registers: the credential types and their schema follow the registry.</summary>
[Collection(PixerveCollection.Name)]
public sealed class StorageProviderRegistrationTests(PixerveFixture fixture)
{
    /// <summary>A backend with one field, known to this test's gateway only.</summary>
    private sealed class DummyStorageProvider : IStorageProvider
    {
        public static readonly CredentialField Shelf = new("shelf", "where the dummy puts things", Required: true);

        public string Name => "dummy";

        public string Description => "a test's own backend";

        public IReadOnlyList<CredentialField> Fields => [Shelf];

        public IObjectStore Open(StorageCredential credential) => throw new NotSupportedException("the dummy stores nothing");
    }

    [Fact]
    public async Task A_provider_registered_by_the_host_is_in_the_admin_schema_and_accepted_as_a_credential_type()
    {
        var (app, http) = await fixture.StartGatewayAsync(s => s.AddStorageProvider<DummyStorageProvider>());
        await using var _ = app;
        using var __ = http;

        using var schema = await http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credential-types"));
        Assert.Equal(HttpStatusCode.OK, schema.StatusCode);
        var types = JsonDocument.Parse(await schema.Content.ReadAsStringAsync()).RootElement.GetProperty("types").EnumerateArray().ToList();
        Assert.Equal(["direct", "s3", "gcs", "sftp", "dummy"], types.Select(t => t.GetProperty("type").GetString()));
        var field = Assert.Single(types.Single(t => t.GetProperty("type").GetString() == "dummy").GetProperty("fields").EnumerateArray());
        Assert.Equal("shelf", field.GetProperty("name").GetString());
        Assert.True(field.GetProperty("required").GetBoolean());
        Assert.False(field.GetProperty("secret").GetBoolean());

        using (var missing = await http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key = "dummy-1", type = "dummy", data = new { } })))
        {
            var problem = await HttpAssert.AssertProblem(missing, HttpStatusCode.BadRequest);
            Assert.Equal("data.shelf", problem.GetProperty("field").GetString());
        }

        using (var created = await http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key = "dummy-1", type = "dummy", data = new { shelf = "top" } })))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("dummy", body.GetProperty("type").GetString());
            Assert.Equal("top", body.GetProperty("data").GetProperty("shelf").GetString());
        }

        using var deleted = await http.SendAsync(fixture.Admin(HttpMethod.Delete, "/admin/credentials/dummy-1"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task An_unregistered_type_is_400_naming_the_registered_ones()
    {
        // The fixture's gateway registers the shipped providers only: "dummy" is unknown there.
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials",
            new { key = "dummy-2", type = "dummy", data = new { shelf = "top" } }));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("type", problem.GetProperty("field").GetString());
        Assert.Equal("type: must be a registered storage type: direct, s3, gcs or sftp", problem.GetProperty("detail").GetString());

        using var schema = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/admin/credential-types"));
        var types = JsonDocument.Parse(await schema.Content.ReadAsStringAsync()).RootElement.GetProperty("types").EnumerateArray();
        Assert.DoesNotContain("dummy", types.Select(t => t.GetProperty("type").GetString()));
    }
}
