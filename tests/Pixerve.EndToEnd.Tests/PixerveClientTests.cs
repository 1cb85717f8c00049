using System.Net;
using SkiaSharp;
using Pixerve.Client;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>The .NET client against the fixture's real gateway.</summary>
[Collection(PixerveCollection.Name)]
public sealed class PixerveClientTests(PixerveFixture fixture)
{
    private readonly PixerveClient _client = new(fixture.Http) { FirstPollInterval = TimeSpan.FromMilliseconds(50) };

    private static JobSpecBuilder Spec(string subDir) => new JobSpecBuilder()
        .Format("png", f => f.Speed(6).Size(32, 24))
        .Format("webp", f => f.Quality(70).Size(16))
        .DirectHost()
        .SubDir(subDir)
        .Priority(1);

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    [Fact]
    public async Task A_job_round_trips_upload_wait_records_and_download()
    {
        var token = Spec("client/roundtrip").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var bytes = UniqueBytes.Png(); // 48×40

        var job = await _client.UploadAsync(new MemoryStream(bytes), "pic.png", token);

        Assert.Equal([$"{job.Hash}_pic_24_32_.png", $"{job.Hash}_pic_16_16_.webp"], job.ExpectedFiles);
        var status = await _client.WaitUntilFinalAsync(job.Hash, token, Deadline());
        Assert.Equal(JobStatuses.Completed, status.Status);
        Assert.Equal(job.ExpectedFiles, status.Files.Select(f => f.Name));
        Assert.Equal((29, 24), (status.Files[0].Width, status.Files[0].Height));
        Assert.Equal(("png", 48, 40, 1), (status.Source!.Format, status.Source.Width, status.Source.Height, status.Source.Frames));
        Assert.Matches("^#[0-9a-f]{6}$", status.Source.DominantColor);
        Assert.Equal(28, status.Source.Blurhash.Length);
        Assert.NotEmpty(Convert.FromBase64String(status.Source.Thumbhash));
        Assert.Equal([("png", 29, 24), ("webp", 16, 13)], status.Outputs.Select(o => (o.Format, o.Width, o.Height)));
        Assert.Equal(status.Files.Select(f => f.Bytes), status.Outputs.Select(o => o.Bytes));
        Assert.Equal(new Pixerve.Client.OutputLocation("direct", $"/files/client/roundtrip/{job.ExpectedFiles[1]}"), Assert.Single(status.Outputs[1].Locations));

        using var bitmap = SKBitmap.Decode(await _client.DownloadServedFileAsync("client/roundtrip", job.ExpectedFiles[0]));
        Assert.NotNull(bitmap);
        Assert.Equal((29, 24), (bitmap.Width, bitmap.Height));

        var success = await _client.GetSuccessAsync(job.Hash, token);
        Assert.Equal(("success", 2), (success.Status, success.FileCount));
        Assert.Equal(job.ExpectedFiles, success.JobData!.ExpectedFiles);
        Assert.Equal(status.Source, success.JobData.Source);
        Assert.Equal(status.Outputs.Select(o => (o.Name, o.Bytes)), success.JobData.Outputs.Select(o => (o.Name, o.Bytes)));
        Assert.Equal("success", (await _client.GetFailureAsync(job.Hash, token)).Status);
    }

    [Fact]
    public async Task Watching_a_job_yields_its_states_in_order_ending_with_the_final_one()
    {
        var token = Spec("client/watch").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var job = await _client.UploadAsync(new MemoryStream(UniqueBytes.Png()), "watched.png", token);

        var states = new List<string>();
        await foreach (var status in _client.WatchAsync(job.Hash, token, Deadline()))
            states.Add(status.Status);

        Assert.Equal(JobStatuses.Completed, states[^1]);
        string[] order = [JobStatuses.Pending, JobStatuses.Processing, JobStatuses.Completed];
        Assert.Equal(states.OrderBy(s => Array.IndexOf(order, s)), states);
        Assert.Equal(states.Distinct(), states);
    }

    [Fact]
    public async Task Waiting_rides_out_a_gateway_that_answers_503_for_a_while()
    {
        var token = Spec("client/flaky").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var job = await _client.UploadAsync(new MemoryStream(UniqueBytes.Png()), "flaky.png", token);
        using var flaky = new UnavailableForAWhile(3) { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(flaky) { BaseAddress = fixture.Http.BaseAddress };
        var client = new PixerveClient(http) { FirstPollInterval = TimeSpan.FromMilliseconds(20) };

        var status = await client.WaitUntilFinalAsync(job.Hash, token, Deadline());

        Assert.Equal(JobStatuses.Completed, status.Status);
        Assert.Equal(0, flaky.Remaining);
        var once = await Assert.ThrowsAsync<PixerveException>(() => new PixerveClient(http).GetStatusAsync(new string('e', 64), token));
        Assert.Equal(HttpStatusCode.NotFound, once.StatusCode); // not transient: thrown at once
    }

    /// <summary>Answers the first few requests with a 503 problem of its own, then lets them through.</summary>
    private sealed class UnavailableForAWhile(int failures) : DelegatingHandler
    {
        public int Remaining { get; private set; } = failures;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Remaining == 0) return base.SendAsync(request, cancellationToken);
            Remaining--;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("""{"status":503,"detail":"restarting"}""", System.Text.Encoding.UTF8, "application/problem+json"),
            });
        }
    }

    [Fact]
    public async Task A_pending_job_is_cancelled_and_cancelling_again_is_a_409_exception()
    {
        var token = Spec("client/cancel").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        fixture.Queue().Pause();
        try
        {
            var job = await _client.UploadAsync(new MemoryStream(UniqueBytes.Png()), "pending.png", token);
            Assert.Equal(JobStatuses.Cancelled, (await _client.CancelAsync(job.Hash, token)).Status);

            var again = await Assert.ThrowsAsync<PixerveException>(() => _client.CancelAsync(job.Hash, token));
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("cancelled", again.Detail);
            Assert.Equal("not_found", (await _client.GetSuccessAsync(job.Hash, token)).Status);
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    [Fact]
    public async Task A_batch_lists_a_job_per_file_and_the_refused_one_as_a_problem()
    {
        var token = Spec("client/batch").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var result = await _client.UploadBatchAsync(
        [
            new UploadFile(new MemoryStream(UniqueBytes.Png()), "one.png"),
            new UploadFile(new MemoryStream("not an image"u8.ToArray()), "two.txt"),
            new UploadFile(new MemoryStream(UniqueBytes.Png()), "three.png"),
        ], token);

        Assert.Equal(["one.png", "two.txt", "three.png"], result.Jobs.Select(j => j.File));
        Assert.Equal([true, false, true], result.Jobs.Select(j => j.Accepted));
        var refused = Assert.Throws<PixerveException>(() => result.Jobs[1].EnsureAccepted());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);

        foreach (var job in result.Jobs.Where(j => j.Accepted).Select(j => j.EnsureAccepted()))
            Assert.Equal(JobStatuses.Completed, (await _client.WaitUntilFinalAsync(job.Hash, token, Deadline())).Status);
    }

    [Fact]
    public async Task A_batch_of_one_gets_the_batch_shape_too()
    {
        var token = Spec("client/batch").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var result = await _client.UploadBatchAsync([new UploadFile(new MemoryStream(UniqueBytes.Png()), "solo.png")], token);

        var entry = Assert.Single(result.Jobs);
        Assert.Equal("solo.png", entry.File);
        Assert.Equal(JobStatuses.Completed, (await _client.WaitUntilFinalAsync(entry.EnsureAccepted().Hash, token, Deadline())).Status);
    }

    [Fact]
    public async Task A_bad_spec_surfaces_as_an_exception_with_status_and_field()
    {
        var token = Spec("../escape").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));

        var refused = await Assert.ThrowsAsync<PixerveException>(() =>
            _client.UploadAsync(new MemoryStream(UniqueBytes.Png()), "pic.png", token));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("subDir", refused.Field);
        Assert.False(string.IsNullOrWhiteSpace(refused.Detail));
    }

    [Fact]
    public async Task A_token_minted_with_another_secret_is_a_401_and_an_unknown_hash_a_404()
    {
        var forged = Spec("client/forged").MintToken(new string('x', 40), TimeSpan.FromMinutes(10));
        var unauthorized = await Assert.ThrowsAsync<PixerveException>(() =>
            _client.UploadAsync(new MemoryStream(UniqueBytes.Png()), "pic.png", forged));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        var token = Spec("client/unknown").MintToken(PixerveFixture.JwtSecret, TimeSpan.FromMinutes(10));
        var unknown = await Assert.ThrowsAsync<PixerveException>(() => _client.GetStatusAsync(new string('d', 64), token));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
