using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>Every 4xx says what to do, in the terms of the endpoint that answered it.</summary>
[Collection(PixerveCollection.Name)]
public sealed class ErrorMessageTests(PixerveFixture fixture)
{
    private async Task<string> DetailAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }

    [Theory]
    [InlineData("GET", "/status?hash=abc")]
    [InlineData("DELETE", "/cancel?hash=abc")]
    [InlineData("POST", "/retry?hash=abc")]
    [InlineData("GET", "/success?hash=abc")]
    [InlineData("GET", "/failures?hash=abc")]
    [InlineData("GET", "/events?hash=abc")]
    public async Task A_jobs_endpoint_without_a_token_asks_for_a_bearer_token_not_a_form_field(string method, string path)
    {
        var detail = await DetailAsync(new HttpRequestMessage(new HttpMethod(method), path), HttpStatusCode.Unauthorized);
        Assert.DoesNotContain("form field", detail);
        Assert.Contains("'Authorization: Bearer <token>'", detail);
        Assert.Contains("admin token", detail);
    }

    [Fact]
    public async Task The_upload_without_a_token_names_both_ways_to_send_it()
    {
        var detail = await DetailAsync(PixerveFixture.UploadBytes([1, 2, 3], "a.jpg", bearer: null), HttpStatusCode.Unauthorized);
        Assert.Contains("'token' form field before the file", detail);
    }

    [Fact]
    public async Task A_resumable_upload_without_a_token_asks_for_it_on_every_request()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/uploads");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", "10");
        var detail = await DetailAsync(request, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain("form field", detail);
        Assert.Contains("every request", detail);
    }

    [Fact]
    public async Task A_credential_posted_without_content_type_or_token_is_refused_for_the_token_first()
    {
        // What `curl -X POST /admin/credentials -d '{…}'` sends: form-urlencoded, no Authorization.
        var body = new StringContent("""{"key": "k", "type": "direct"}""", Encoding.UTF8, "application/x-www-form-urlencoded");
        var detail = await DetailAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/credentials") { Content = body }, HttpStatusCode.Unauthorized);
        Assert.Contains("admin token", detail);

        var none = new ByteArrayContent("""{"key": "k", "type": "direct"}"""u8.ToArray());
        detail = await DetailAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/credentials") { Content = none }, HttpStatusCode.Unauthorized);
        Assert.Contains("admin token", detail);
    }

    [Fact]
    public async Task A_credential_posted_with_the_admin_token_but_not_as_json_is_415_saying_what_to_send()
    {
        var request = fixture.Admin(HttpMethod.Post, "/admin/credentials");
        request.Content = new StringContent("""{"key": "k", "type": "direct"}""", Encoding.UTF8, "application/x-www-form-urlencoded");
        var detail = await DetailAsync(request, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Type: application/json", detail);
    }

    [Fact]
    public async Task An_unknown_path_and_a_method_a_path_does_not_take_are_problems_with_a_detail()
    {
        Assert.Contains("/no-such-thing", await DetailAsync(new HttpRequestMessage(HttpMethod.Get, "/no-such-thing"), HttpStatusCode.NotFound));
        Assert.Contains("PUT", await DetailAsync(new HttpRequestMessage(HttpMethod.Put, "/version"), HttpStatusCode.MethodNotAllowed));
    }
}
