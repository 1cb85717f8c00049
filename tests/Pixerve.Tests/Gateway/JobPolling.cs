using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

public static class JobPolling
{
    /// <summary>Polls <c>GET /status</c> until the job is final, and returns its last answer.</summary>
    public static async Task<JsonElement> WaitUntilFinalAsync(this PixerveFixture fixture, string hash, string token)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await fixture.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            last = await response.Content.ReadFromJsonAsync<JsonElement>();
            return last.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, TimeSpan.FromMinutes(2), $"job {hash} to finish");
        return last;
    }
}
