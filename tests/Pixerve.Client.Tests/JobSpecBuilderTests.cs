using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Pixerve.Client;

namespace Pixerve.Client.Tests;

public sealed class JobSpecBuilderTests
{
    private const string Secret = "a-secret-that-is-at-least-thirty-two-bytes-long";

    [Fact]
    public void Builds_the_job_claim_in_the_servers_field_names_and_order()
    {
        var job = new JobSpecBuilder()
            .Format("jpg", f => f.Quality(80).Size(1600, 1200).Size(400))
            .Format("avif", f => f.Quality(60).Speed(8).Size(800, 800))
            .Format("webp", f => f.Animated(false).Size(320))
            .KeepOriginal()
            .StorageKey("s3", "media-s3")
            .DirectHost()
            .SubDir("users/42")
            .Callback(new Uri("https://example.com/hook"), new Dictionary<string, string> { ["X-Key"] = "k" })
            .Priority(5)
            .Build();

        var expected = JsonNode.Parse("""
            {
              "formats": {
                "jpg": { "settings": { "quality": 80 }, "sizes": [[1600, 1200], [400]] },
                "avif": { "settings": { "quality": 60, "speed": 8 }, "sizes": [[800, 800]] },
                "webp": { "settings": { "animated": false }, "sizes": [[320]] }
              },
              "keepOriginal": true,
              "storageKeys": { "s3": "media-s3" },
              "directHost": true,
              "subDir": "users/42",
              "completionCallback": "https://example.com/hook",
              "callbackHeaders": { "X-Key": "k" },
              "priority": 5
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, job), job.ToJsonString());
        Assert.Equal(["jpg", "avif", "webp"], job["formats"]!.AsObject().Select(f => f.Key));
    }

    [Fact]
    public void Fit_and_gravity_go_into_settings_or_into_one_size()
    {
        var job = new JobSpecBuilder()
            .Format("webp", f => f.Fit(Fit.Cover, Gravity.Attention).Size(300).Size(200, 100, Fit.Fill).Size(50, 50, Fit.Cover, Gravity.Entropy))
            .DirectHost()
            .Build();

        var expected = JsonNode.Parse("""
            {
              "formats": {
                "webp": { "settings": { "fit": "cover", "gravity": "attention" },
                          "sizes": [[300], { "box": [200, 100], "fit": "fill" }, { "box": [50, 50], "fit": "cover", "gravity": "entropy" }] }
              },
              "directHost": true
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, job), job.ToJsonString());
    }

    [Fact]
    public async Task The_token_is_an_hs256_jwt_that_a_standard_validator_accepts()
    {
        var token = new JobSpecBuilder().Format("png", f => f.Size(10)).MintToken(Secret, TimeSpan.FromMinutes(5), issuer: "me", audience: "pixerve");

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidIssuer = "me",
            ValidAudience = "pixerve",
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.InRange(jwt.ValidTo, DateTime.UtcNow.AddMinutes(4), DateTime.UtcNow.AddMinutes(6));
        var job = JsonDocument.Parse(jwt.GetClaim("job").Value).RootElement;
        Assert.Equal(10, job.GetProperty("formats").GetProperty("png").GetProperty("sizes")[0][0].GetInt32());
    }

    [Fact]
    public void Plainly_malformed_specs_are_refused_before_any_request()
    {
        Assert.Throws<InvalidOperationException>(() => new JobSpecBuilder().Build());
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobSpecBuilder().Format("jpg", f => f.Quality(0)));
        Assert.Throws<ArgumentException>(() => new JobSpecBuilder().Callback(new Uri("ftp://example.com/")));
        Assert.Throws<ArgumentException>(() => new JobSpecBuilder().Format("png", f => f.Size(1)).MintToken("short", TimeSpan.FromMinutes(1)));
    }
}
