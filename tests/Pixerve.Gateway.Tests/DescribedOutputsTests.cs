using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>A job's answers and its webhook describe the source (size, format, alpha, placeholders) and every output.</summary>
[Collection(PixerveCollection.Name)]
public sealed class DescribedOutputsTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Status_success_and_webhook_list_each_output_with_its_oriented_size_bytes_and_location()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subDir = $"described/{Guid.NewGuid():N}";
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 400 } } }, webp = new { sizes = new[] { new[] { 800, 600 } } } },
            keepOriginal = true,
            directHost = true,
            subDir,
            completionCallback = receiver.Url,
        });
        var image = RepositoryPaths.Image("orient-6.jpg"); // stored 1920×1280, EXIF orientation 6: upright 1280×1920
        using var upload = await fixture.Http.SendAsync(fixture.Upload(image, token));
        await HttpAssert.AssertOk(upload);
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var hash = accepted.GetProperty("hash").GetString()!;
        var expected = accepted.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()!).ToList();

        var status = await fixture.WaitUntilFinalAsync(hash, token);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        var source = status.GetProperty("source");
        Assert.Equal(("jpg", 1280, 1920, false, 1), (source.GetProperty("format").GetString(), source.GetProperty("width").GetInt32(),
            source.GetProperty("height").GetInt32(), source.GetProperty("has_alpha").GetBoolean(), source.GetProperty("frames").GetInt32()));
        Assert.Matches("^#[0-9a-f]{6}$", source.GetProperty("dominant_color").GetString());
        Assert.Matches("^[0-9A-Za-z#$%*+,\\-.:;=?@\\[\\]^_{|}~]{28}$", source.GetProperty("blurhash").GetString()); // 4 + 2 × 4×3
        // A portrait ThumbHash: 5 header bytes (no alpha) and the AC nibbles; the aspect bit is clear.
        var thumbhash = Convert.FromBase64String(source.GetProperty("thumbhash").GetString()!);
        Assert.InRange(thumbhash.Length, 20, 30);
        Assert.Equal(0, thumbhash[4] & 0x80);

        var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(expected, outputs.Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(
            [("jpg", 267, 400), ("webp", 400, 600), ("original", 1280, 1920)],
            outputs.Select(o => (o.GetProperty("format").GetString(), o.GetProperty("width").GetInt32(), o.GetProperty("height").GetInt32())));
        foreach (var output in outputs)
        {
            var name = output.GetProperty("name").GetString()!;
            var location = Assert.Single(output.GetProperty("locations").EnumerateArray());
            Assert.Equal(("direct", $"/files/{subDir}/{name}"), (location.GetProperty("backend").GetString(), location.GetProperty("location").GetString()));
            var served = await fixture.Http.GetByteArrayAsync(location.GetProperty("location").GetString());
            Assert.Equal(served.Length, output.GetProperty("bytes").GetInt64());
        }

        Assert.Equal(new FileInfo(image).Length, outputs[2].GetProperty("bytes").GetInt64());

        var success = await fixture.GetJsonAsync($"/success?hash={hash}", token);
        var jobData = success.GetProperty("job_data");
        AssertSameJson(source, jobData.GetProperty("source"));
        AssertSameJson(status.GetProperty("outputs"), jobData.GetProperty("outputs"));

        await Poll.UntilAsync(() => Task.FromResult(!receiver.Received.IsEmpty), TimeSpan.FromMinutes(1), "the webhook");
        Assert.True(receiver.Received.TryPeek(out var callback));
        var payload = JsonDocument.Parse(callback.Body).RootElement;
        AssertSameJson(source, payload.GetProperty("source"));
        AssertSameJson(status.GetProperty("outputs"), payload.GetProperty("outputs"));
    }

    /// <summary>Equal as JSON values: the webhook's serializer escapes <c>+</c> where the gateway's does not.</summary>
    private static void AssertSameJson(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.GetRawText()), JsonNode.Parse(actual.GetRawText())),
            $"expected {expected.GetRawText()}\nactual   {actual.GetRawText()}");

    [Fact]
    public async Task A_translucent_source_is_described_as_having_alpha_and_its_thumbhash_says_so()
    {
        var token = fixture.Token(new { formats = new { png = new { sizes = new[] { new[] { 120 } } } }, directHost = true, subDir = $"described/{Guid.NewGuid():N}" });
        using var upload = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("alpha.png"), token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        var status = await fixture.WaitUntilFinalAsync(hash, token);

        var source = status.GetProperty("source");
        Assert.Equal(("png", 1200, 800, true), (source.GetProperty("format").GetString(), source.GetProperty("width").GetInt32(),
            source.GetProperty("height").GetInt32(), source.GetProperty("has_alpha").GetBoolean()));
        // ThumbHash's alpha flag is bit 23 of its 24-bit header: byte 2's top bit.
        Assert.Equal(0x80, Convert.FromBase64String(source.GetProperty("thumbhash").GetString()!)[2] & 0x80);
        var output = Assert.Single(status.GetProperty("outputs").EnumerateArray());
        Assert.Equal(("png", 120, 80), (output.GetProperty("format").GetString(), output.GetProperty("width").GetInt32(), output.GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task A_heic_upload_is_converted_upright_and_its_original_kept_as_image_heic()
    {
        var subDir = $"described/{Guid.NewGuid():N}";
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 200 } } } }, keepOriginal = true, directHost = true, subDir });
        using var upload = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("portrait-irot.heic"), token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        var status = await fixture.WaitUntilFinalAsync(hash, token);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        var source = status.GetProperty("source");
        Assert.Equal(("heic", 320, 480), (source.GetProperty("format").GetString(), source.GetProperty("width").GetInt32(), source.GetProperty("height").GetInt32()));
        var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal([("jpg", 133, 200), ("original", 320, 480)],
            outputs.Select(o => (o.GetProperty("format").GetString(), o.GetProperty("width").GetInt32(), o.GetProperty("height").GetInt32())));
        var original = outputs[1].GetProperty("name").GetString()!;
        Assert.EndsWith(".heic", original);
        using var served = await fixture.Http.GetAsync($"/files/{subDir}/{original}");
        Assert.Equal("image/heic", served.Content.Headers.ContentType?.MediaType);
    }
}
