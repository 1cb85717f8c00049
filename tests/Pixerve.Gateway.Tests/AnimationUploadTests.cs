using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>An animated upload keeps its frames through the job, and its frames count against the limits at upload.</summary>
[Collection(PixerveCollection.Name)]
public sealed class AnimationUploadTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Animated_gif_becomes_animated_webp_and_gif_a_first_frame_jpg_and_a_still_webp()
    {
        var subDir = $"animated/{Guid.NewGuid():N}";
        var token = fixture.Token(new
        {
            formats = new Dictionary<string, object>
            {
                ["webp"] = new { sizes = new[] { new[] { 160 } } },
                ["gif"] = new { sizes = new[] { new[] { 160 } } },
                ["jpg"] = new { sizes = new[] { new[] { 160 } } },
                ["WEBP"] = new { settings = new { animated = false }, sizes = new[] { new[] { 80 } } },
            },
            directHost = true,
            subDir,
        });
        using var upload = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("animated.gif"), token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(3, status.GetProperty("source").GetProperty("frames").GetInt32());

        var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal([("webp", 160, 120), ("gif", 160, 120), ("jpg", 160, 120), ("webp", 80, 60)],
            outputs.Select(o => (o.GetProperty("format").GetString(), o.GetProperty("width").GetInt32(), o.GetProperty("height").GetInt32())));
        Assert.EndsWith(".gif", outputs[1].GetProperty("name").GetString());

        async Task<NetVips.Image> Served(int index, bool gif)
        {
            var location = outputs[index].GetProperty("locations")[0].GetProperty("location").GetString();
            using var response = await fixture.Http.GetAsync(location);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(gif ? "image/gif" : "image/webp", response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            return gif ? NetVips.Image.GifloadBuffer(bytes, n: -1) : NetVips.Image.WebploadBuffer(bytes, n: -1);
        }

        static int Pages(NetVips.Image image) => image.Contains("n-pages") ? (int)image.Get("n-pages") : 1;
        using var webp = await Served(0, gif: false);
        using var gif = await Served(1, gif: true);
        using var still = await Served(3, gif: false);
        Assert.Equal((3, 3, 1), (Pages(webp), Pages(gif), Pages(still)));
        Assert.Equal([200, 200, 200], (int[])webp.Get("delay"));
        Assert.Equal([200, 200, 200], (int[])gif.Get("delay"));
    }

    [Theory]
    // 5000×5000 = 25 MP a frame passes the 50 MP limit once, twice (the limit is inclusive), not three times.
    [InlineData(5000, 3, "Pixerve:Limits:MaxSourcePixels")]
    [InlineData(1, 501, "Pixerve:Limits:MaxFrames")]
    public async Task An_animation_past_a_limit_is_413_at_upload_naming_it_and_stages_nothing(int side, int frames, string limit)
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(new { formats = new { webp = new { sizes = new[] { new[] { 100 } } } }, directHost = true, subDir = "anim-limits" });
        foreach (var (bytes, name) in new[] { (Gif(side, side, frames), "animation.gif"), (Webp(side, side, frames), "animation.webp") })
        {
            using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, name, token));
            var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains(limit, problem.GetProperty("detail").GetString());
        }

        await fixture.AssertNothingNewStagedAsync(before);
    }

    /// <summary>A GIF with a <paramref name="width"/>×<paramref name="height"/> screen and that many 1×1 frames.</summary>
    private static byte[] Gif(int width, int height, int frames)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x80, 0, 0]); // global table of 2 colours
        gif.AddRange([0, 0, 0, 255, 255, 255]);
        for (var i = 0; i < frames; i++)
        {
            gif.AddRange([0x21, 0xF9, 4, 0, 10, 0, 0, 0]);                   // graphic control extension: 100 ms
            gif.AddRange([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);                // a 1×1 frame
            gif.AddRange([2, 2, 0x4C, 0x01, 0]);                              // LZW minimum 2, one sub-block, terminator
        }

        gif.Add(0x3B);
        return gif.ToArray();
    }

    /// <summary>
    /// An extended WebP with a <paramref name="width"/>×<paramref name="height"/> canvas and that many ANMF chunks.
    /// The frames' payloads are not valid: the limits are checked from the chunk structure while staging, before any decode.
    /// </summary>
    private static byte[] Webp(int width, int height, int frames)
    {
        var body = new List<byte>();
        body.AddRange("WEBP"u8.ToArray());
        body.AddRange(Chunk("VP8X", [0x02, 0, 0, 0, .. UInt24(width - 1), .. UInt24(height - 1)])); // animation flag
        body.AddRange(Chunk("ANIM", [0, 0, 0, 0, 0, 0]));
        for (var i = 0; i < frames; i++) body.AddRange(Chunk("ANMF", new byte[16]));
        return [.. "RIFF"u8.ToArray(), .. LittleEndian(body.Count), .. body];
    }

    private static byte[] Chunk(string fourCc, byte[] payload) =>
        [.. System.Text.Encoding.ASCII.GetBytes(fourCc), .. LittleEndian(payload.Length), .. payload, .. payload.Length % 2 == 1 ? new byte[1] : []];

    private static byte[] LittleEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] UInt24(int value) => [(byte)value, (byte)(value >> 8), (byte)(value >> 16)];
}
