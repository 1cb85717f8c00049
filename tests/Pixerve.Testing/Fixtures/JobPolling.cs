using System.Net.Http.Json;
using System.Text.Json;

namespace Pixerve.Testing.Fixtures;

public static class JobPolling
{
    /// <summary>Uploads an image with a job token through the gateway and returns its hash.</summary>
    public static async Task<string> UploadAsync(this PixerveFixture fixture, string image, string token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image(image), token));
        await HttpAssert.AssertOk(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
    }

    /// <summary>Uploads these bytes with a <c>directHost</c> job token of that <paramref name="subDir"/>; returns the outputs it expects.</summary>
    public static async Task<ExpectedOutputs> UploadExpectingAsync(this PixerveFixture fixture, byte[] bytes, string fileName, string token, string subDir)
    {
        using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, fileName, token));
        await HttpAssert.AssertOk(response);
        return ExpectedOutputs.FromUploadAnswer(await response.Content.ReadFromJsonAsync<JsonElement>(), subDir, fileName);
    }

    public static async Task<JsonElement> GetJsonAsync(this PixerveFixture fixture, string path, string token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, path, token));
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls <c>GET /status</c> until the job is final, and returns its last answer.</summary>
    public static async Task<JsonElement> WaitUntilFinalAsync(this PixerveFixture fixture, string hash, string token, TimeSpan? timeout = null)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={hash}", token));
                // A 4xx will not change by asking again (an auth or ownership bug): fail now, with the body.
                if ((int)response.StatusCode is >= 400 and < 500)
                    Assert.Fail($"GET /status?hash={hash} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                if (!response.IsSuccessStatusCode) return false; // a silo may be going away; keep asking
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            catch (HttpRequestException)
            {
                return false;
            }

            return last.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, timeout ?? TimeSpan.FromMinutes(2), $"job {hash} to finish");
        return last;
    }
}
