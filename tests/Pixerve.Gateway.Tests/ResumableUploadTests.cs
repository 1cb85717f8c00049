using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Pixerve.Grains.Staging;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;
using SkiaSharp;
using Xunit.Abstractions;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// Resumable uploads (tus 1.0) at <c>/uploads</c>, driven by the real tus-js-client (Node) where the issue names it, and by
/// plain HTTP for the refusals. Real gateway, silo and Azurite.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class ResumableUploadTests(PixerveFixture fixture, ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    private static object Job(string subDir) => new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 640 }, new[] { 160 } } } },
        directHost = true,
        subDir,
    };

    [Fact]
    public async Task A_20_MB_upload_cut_after_7_MB_goes_on_from_the_servers_offset_and_becomes_one_job_with_the_right_outputs()
    {
        var bytes = NoiseJpeg(20 * MiB);
        var file = await WriteTempAsync(bytes, "large.jpg");
        var token = fixture.Token(Job("tus-cut"));
        await using var proxy = new LoopbackProxy(fixture.Http.BaseAddress!);
        // Half-way through the eighth 1 MB part the connection stalls, as a fading signal does, and then drops.
        const long cut = 7 * MiB + MiB / 2;
        proxy.CutOnceAfter(cut, stall: TimeSpan.FromSeconds(1));

        // A phone comes back after a moment, not at once: by then the gateway has kept what arrived of the broken part.
        var run = await TusJsClient.UploadAsync(new Uri(proxy.Address, "/uploads"), token, file, MiB, "--first-retry-delay", "1000");
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(proxy.CutAt);

        // After the cut tus-js-client asked where the upload stands (once) and went on from there: from the bytes of the cut
        // part that reached the server, not from that part's start, and not from 0.
        var requests = run.All("request").ToList();
        var head = requests.FindIndex(e => e.GetProperty("method").GetString() == "HEAD");
        Assert.Single(requests, e => e.GetProperty("method").GetString() == "HEAD");
        var cutPartStart = requests[head - 1].GetProperty("offset").GetInt64();
        var resumedAt = requests[head + 1].GetProperty("offset").GetInt64();
        // The client's bytes through the proxy include every request's headers, so the file bytes sent before the cut
        // were fewer than the cut: what was sent again is less than the gap between the cut and where it went on.
        output.WriteLine($"{bytes.Length} bytes in parts of {MiB}; cut after {cut} client bytes, in the part at {cutPartStart}; " +
                         $"the server kept {resumedAt - cutPartStart} bytes of that part and the upload went on at {resumedAt}: " +
                         $"at most {cut - resumedAt} bytes (headers included) were sent twice; {proxy.ClientBytes} client bytes in all");
        Assert.Equal(7 * MiB, cutPartStart);
        Assert.InRange(resumedAt, cutPartStart, cut);
        Assert.True(cut - resumedAt < 64 * 1024, $"the upload went on at {resumedAt}, {cut - resumedAt} bytes before the cut");

        var success = run.Last("success")!.Value;
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(hash, success.GetProperty("hash").GetString());
        Assert.Equal([$"{hash}_large_640_640_.jpg", $"{hash}_large_160_160_.jpg"],
            success.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()));
        var final = await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(2));
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal(success.GetProperty("job_id").GetString(), final.GetProperty("job_id").GetString());
        Assert.Equal(1, final.GetProperty("attempts").GetInt32());
        foreach (var (name, side) in new[] { ("large_640_640_", 640), ("large_160_160_", 160) })
        {
            using var served = SKBitmap.Decode(Path.Combine(fixture.ServeDir, "tus-cut", $"{hash}_{name}.jpg"));
            Assert.Equal((side, side * 3 / 4), (served.Width, served.Height));
        }

        // The upload's answer is there to read again while the job holds the upload.
        using var again = await fixture.Http.SendAsync(Tus(HttpMethod.Get, new Uri(success.GetProperty("url").GetString()!).AbsolutePath, token));
        if (again.StatusCode != HttpStatusCode.NotFound)
        {
            await HttpAssert.AssertOk(again);
            Assert.Equal(hash, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString());
        }
    }

    [Fact]
    public async Task One_upload_through_two_gateways_taking_turns_becomes_one_job()
    {
        var (second, secondHttp) = await fixture.StartGatewayAsync();
        await using var _ = second;
        using var __ = secondHttp;
        var bytes = NoiseJpeg(5 * MiB);
        var file = await WriteTempAsync(bytes, "turns.jpg");
        var token = fixture.Token(Job("tus-turns"));
        await using var proxy = new LoopbackProxy(fixture.Http.BaseAddress!, secondHttp.BaseAddress!);

        var run = await TusJsClient.UploadAsync(new Uri(proxy.Address, "/uploads"), token, file, MiB, "--new-connections");
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var patches = proxy.Requests.Where(r => r.RequestLine.StartsWith("PATCH ", StringComparison.Ordinal)).ToList();
        Assert.Equal((bytes.Length + MiB - 1) / MiB, patches.Count);
        Assert.Equal([0, 1], patches.Select(p => p.Upstream).Distinct().Order());
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(hash, run.Last("success")!.Value.GetProperty("hash").GetString());
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token, TimeSpan.FromMinutes(2))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Another_tokens_HEAD_PATCH_GET_and_DELETE_get_404_and_a_refreshed_token_of_the_same_job_goes_on()
    {
        var job = Job("tus-owner");
        var token = fixture.Token(job);
        var bytes = UniqueBytes.Jpeg("orient-6.jpg");
        var location = await CreateAsync(token, bytes.Length);

        var others = new[]
        {
            TestTokens.Mint(PixerveFixture.JwtSecret, job, subject: "someone-else"),
            fixture.Token(Job("tus-owner-other-claim")),
        };
        foreach (var other in others)
        {
            foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get, HttpMethod.Delete })
            {
                using var response = await fixture.Http.SendAsync(Tus(method, location, other));
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            using var patch = await fixture.Http.SendAsync(Part(location, other, 0, bytes));
            Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        }

        // Nothing of the others' requests landed: the upload is where it was, and its own token finishes it.
        var refreshed = fixture.Token(job);
        using (var head = await fixture.Http.SendAsync(Tus(HttpMethod.Head, location, refreshed)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("0", head.Headers.GetValues("Upload-Offset").Single());
        }

        using var finish = await fixture.Http.SendAsync(Part(location, refreshed, 0, bytes));
        Assert.Equal(HttpStatusCode.NoContent, finish.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), finish.Headers.GetValues("Pixerve-Hash").Single());
    }

    [Fact]
    public async Task An_upload_left_unfinished_is_gone_after_its_expiry_with_its_parts()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Uploads:Expiry=00:00:02");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job("tus-expiry"));
        var bytes = UniqueBytes.Jpeg("orient-6.jpg");
        using var create = await http.SendAsync(Create(token, bytes.Length));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var location = create.Headers.Location!.AbsolutePath;
        var expires = DateTimeOffset.Parse(create.Headers.GetValues("Upload-Expires").Single(), CultureInfo.InvariantCulture);
        using (var part = await http.SendAsync(Part(location, token, 0, bytes[..1000])))
            Assert.Equal(HttpStatusCode.NoContent, part.StatusCode);

        var blob = new BlobServiceClient(fixture.StorageConnectionString).GetBlobContainerClient(PixerveConfiguration.StagingContainer)
            .GetBlockBlobClient("resumable/" + location.Split('/').Last());
        var blocks = (await blob.GetBlockListAsync(BlockListTypes.Uncommitted)).Value;
        Assert.Equal(1000, blocks.UncommittedBlocks.Sum(b => b.Size));

        // The sweep leaves it while it may still be finished, and removes it, parts and all, once it has expired.
        var sweeper = fixture.SiloService<StagingSweeper>();
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.True((await blob.ExistsAsync()).Value);
        await Poll.UntilAsync(() => DateTimeOffset.UtcNow > expires.AddSeconds(1), TimeSpan.FromSeconds(10), "the upload's expiry to pass");
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.False((await blob.ExistsAsync()).Value);
        var gone = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => blob.GetBlockListAsync(BlockListTypes.All));
        Assert.Equal(404, gone.Status);
        using var head = await http.SendAsync(Tus(HttpMethod.Head, location, token));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task An_Upload_Length_over_the_limit_is_413_at_creation_and_nothing_is_stored()
    {
        var staged = await fixture.Staging.ListAsync(CancellationToken.None);
        using var response = await fixture.Http.SendAsync(Create(fixture.Token(Job("tus-limit")), 50L * MiB + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxUploadBytes", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(staged);
    }

    [Fact]
    public async Task A_first_part_that_is_no_image_is_415_before_the_rest_is_taken_and_the_upload_is_gone()
    {
        var token = fixture.Token(Job("tus-sniff"));
        var location = await CreateAsync(token, 3 * MiB);
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not an image at all; ", 4000)));
        using var part = await fixture.Http.SendAsync(Part(location, token, 0, text));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, part.StatusCode);
        Assert.Contains("not a supported image", (await part.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        using var head = await fixture.Http.SendAsync(Tus(HttpMethod.Head, location, token));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.DoesNotContain("resumable/" + location.Split('/').Last(), await fixture.Staging.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_protocol_refuses_what_tus_refuses()
    {
        var token = fixture.Token(Job("tus-protocol"));
        using (var options = await fixture.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/uploads")))
        {
            Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
            Assert.Equal("1.0.0", options.Headers.GetValues("Tus-Version").Single());
            Assert.Equal("creation,creation-with-upload,termination,expiration", options.Headers.GetValues("Tus-Extension").Single());
            Assert.Equal((50L * MiB).ToString(CultureInfo.InvariantCulture), options.Headers.GetValues("Tus-Max-Size").Single());
        }

        // No Tus-Resumable: 412 naming the version.
        var noVersion = Create(token, 100);
        noVersion.Headers.Remove("Tus-Resumable");
        using (var response = await fixture.Http.SendAsync(noVersion))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
        }

        // No token, and the admin token: 401 before anything is stored.
        var staged = await fixture.Staging.ListAsync(CancellationToken.None);
        using (var anonymous = await fixture.Http.SendAsync(Create(null, 100))) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var admin = await fixture.Http.SendAsync(Create(PixerveFixture.AdminToken, 100))) Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        using (var badClaim = await fixture.Http.SendAsync(Create(fixture.Token(new { formats = new { bmp = new { sizes = new[] { new[] { 10 } } } } }), 100)))
            Assert.Equal(HttpStatusCode.BadRequest, badClaim.StatusCode);
        await fixture.AssertNothingNewStagedAsync(staged);

        // A part at the wrong offset: 409 with the server's offset; the right one goes on.
        var bytes = UniqueBytes.Jpeg("orient-6.jpg");
        var location = await CreateAsync(token, bytes.Length);
        using (var first = await fixture.Http.SendAsync(Part(location, token, 0, bytes[..4000]))) Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using (var wrong = await fixture.Http.SendAsync(Part(location, token, 0, bytes[..4000])))
        {
            Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);
            Assert.Equal("4000", wrong.Headers.GetValues("Upload-Offset").Single());
        }

        using (var notYet = await fixture.Http.SendAsync(Tus(HttpMethod.Get, location, token))) Assert.Equal(HttpStatusCode.Conflict, notYet.StatusCode);
        using (var tooLong = await fixture.Http.SendAsync(Part(location, token, 4000, [.. bytes[4000..], 0x00])))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        using (var rest = await fixture.Http.SendAsync(Part(location, token, 4000, bytes[4000..])))
        {
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
            Assert.Equal(bytes.Length.ToString(CultureInfo.InvariantCulture), rest.Headers.GetValues("Upload-Offset").Single());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), rest.Headers.GetValues("Pixerve-Hash").Single());
        }

        using var answer = await fixture.Http.SendAsync(Tus(HttpMethod.Get, location, token));
        await HttpAssert.AssertOk(answer);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString());
        using var terminate = await fixture.Http.SendAsync(Tus(HttpMethod.Delete, location, token));
        Assert.Equal(HttpStatusCode.Conflict, terminate.StatusCode);
    }

    [Fact]
    public async Task Creation_with_upload_of_a_whole_file_answers_its_job_and_termination_removes_an_unfinished_one()
    {
        var token = fixture.Token(Job("tus-whole"));
        var bytes = UniqueBytes.Jpeg("orient-6.jpg");
        var whole = Create(token, bytes.Length, "whole photo.jpg");
        whole.Content = new ByteArrayContent(bytes);
        whole.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using (var created = await fixture.Http.SendAsync(whole))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(hash, created.Headers.GetValues("Pixerve-Hash").Single());
            Assert.Equal($"{hash}_whole_photo_640_640_.jpg,{hash}_whole_photo_160_160_.jpg", created.Headers.GetValues("Pixerve-Expected-Files").Single());
        }

        var location = await CreateAsync(token, 5000);
        using (var part = await fixture.Http.SendAsync(Part(location, token, 0, bytes[..2000]))) Assert.Equal(HttpStatusCode.NoContent, part.StatusCode);
        using (var terminate = await fixture.Http.SendAsync(Tus(HttpMethod.Delete, location, token))) Assert.Equal(HttpStatusCode.NoContent, terminate.StatusCode);
        using var head = await fixture.Http.SendAsync(Tus(HttpMethod.Head, location, token));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.DoesNotContain("resumable/" + location.Split('/').Last(), await fixture.Staging.ListAsync(CancellationToken.None));
    }

    private async Task<string> CreateAsync(string token, long length)
    {
        using var response = await fixture.Http.SendAsync(Create(token, length));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.AbsolutePath;
    }

    private static HttpRequestMessage Create(string? token, long length, string fileName = "photo.jpg")
    {
        var request = Tus(HttpMethod.Post, "/uploads", token);
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(fileName)));
        return request;
    }

    private static HttpRequestMessage Part(string location, string token, long offset, byte[] bytes)
    {
        var request = Tus(HttpMethod.Patch, location, token);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return request;
    }

    private static HttpRequestMessage Tus(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A JPEG of random pixels at least <paramref name="minBytes"/> long (noise does not compress): 4:3, as photos are.</summary>
    private static byte[] NoiseJpeg(int minBytes)
    {
        // About 4.6 bytes a pixel at quality 100 with 4:4:4 noise.
        var width = (int)Math.Sqrt(minBytes / 4.6 * 4 / 3) / 4 * 4;
        while (true)
        {
            var height = width * 3 / 4;
            using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            var pixels = new byte[width * height * 4];
            Random.Shared.NextBytes(pixels);
            for (var i = 3; i < pixels.Length; i += 4) pixels[i] = 0xFF;
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 100);
            if (data.Size >= minBytes) return data.ToArray();
            width += Math.Max(4, width / 32 / 4 * 4);
        }
    }

    private static async Task<string> WriteTempAsync(byte[] bytes, string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("pixerve-tus-").FullName, name);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }
}
