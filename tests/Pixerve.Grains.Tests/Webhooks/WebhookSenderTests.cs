using System.Net;
using Microsoft.Extensions.Options;
using Pixerve.Grains.Webhooks;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests.Webhooks;

public sealed class WebhookSenderTests
{
    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1::1", true)]
    // IANA IPv4 special-purpose blocks beyond the private ones
    [InlineData("198.18.0.1", false)]
    [InlineData("198.19.255.254", false)]
    [InlineData("192.0.0.8", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.51.100.7", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("192.88.99.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("240.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("198.20.0.1", true)]
    [InlineData("8.8.8.8", true)]
    // IPv6 transition addresses are judged by the IPv4 address inside
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("64:ff9b::10.0.0.1", false)]
    [InlineData("64:ff9b::169.254.169.254", false)]
    [InlineData("64:ff9b::198.18.0.1", false)]
    [InlineData("64:ff9b::93.184.216.34", true)]
    [InlineData("64:ff9b:1::a00:1", false)]
    [InlineData("64:ff9b:1:5db8:d822:0::", false)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("2002:a9fe:a9fe::1", false)]
    [InlineData("2002:5db8:d822::1", true)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("::10.0.0.1", false)]
    [InlineData("::ffff:0:127.0.0.1", false)]
    [InlineData("::ffff:0:192.168.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:93.184.216.34", true)]
    [InlineData("::", false)]
    // IANA IPv6 special-purpose blocks and everything outside 2000::/3
    [InlineData("100::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("2001::1", false)]
    [InlineData("2001:2::1", false)]
    [InlineData("3fff::1", false)]
    [InlineData("5f00::1", false)]
    [InlineData("fec0::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("4000::1", false)]
    [InlineData("2a00:1450:4001::1", true)]
    public void Only_global_unicast_addresses_are_reachable(string address, bool expected) =>
        Assert.Equal(expected, NetworkGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("198.18.0.1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:a00:1::")]
    [InlineData("::ffff:0:a9fe:a9fe")]
    [InlineData("::127.0.0.1")]
    public async Task Host_resolving_to_a_hostile_address_is_refused_before_any_socket_opens(string hostile)
    {
        var connects = 0;
        using var sender = new WebhookSender(
            Options.Create(new WebhookOptions { Secret = "s" }),
            (_, _) => Task.FromResult(new[] { IPAddress.Parse(hostile) }),
            (_, _, _) => { Interlocked.Increment(ref connects); throw new InvalidOperationException("no socket may be opened"); });
        var attempt = await sender.SendAsync("http://callback.invalid:8080/hook", new Dictionary<string, string>(), "{}"u8.ToArray(), "msg_test");
        Assert.False(attempt.Delivered);
        Assert.Contains("non-global", attempt.Error);
        Assert.Equal(0, connects);
    }

    [Fact]
    public void Signatures_match_the_standard_webhooks_reference_vector()
    {
        // The example of the Standard Webhooks specification: its secret, message id, timestamp and payload.
        var key = StandardWebhookSignature.KeyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            StandardWebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""u8));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("short-secret", false)]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)] // 24 bytes
    [InlineData("a-webhook-secret-of-thirty-two-b", true)]
    [InlineData("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true)] // 32 bytes
    public void The_secret_must_give_a_key_of_at_least_32_bytes(string secret, bool valid)
    {
        var errors = new WebhookOptions { Secret = secret }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object()));
        Assert.Equal(valid, !errors.Any());
    }

    [Fact]
    public void Proxy_from_the_environment_is_not_used()
    {
        using var sender = new WebhookSender(Options.Create(new WebhookOptions { Secret = "s" }));
        Assert.False(sender.Handler.UseProxy);
    }

    [Fact]
    public async Task Callback_to_loopback_is_refused_at_connect_time_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // "localhost" is a name: only the resolved address shows where it leads.
        var url = receiver.Url.Replace("127.0.0.1", "localhost");
        using var guarded = new WebhookSender(Options.Create(new WebhookOptions { Secret = "s" }));
        var refused = await guarded.SendAsync(url, new Dictionary<string, string>(), "{}"u8.ToArray(), "msg_test");
        Assert.False(refused.Delivered);
        Assert.Contains("loopback, private, link-local or other non-global", refused.Error);
        Assert.Empty(receiver.Received);

        using var allowed = new WebhookSender(Options.Create(new WebhookOptions { Secret = "s", AllowPrivateNetworks = true }));
        var delivered = await allowed.SendAsync(receiver.Url, new Dictionary<string, string>(), "{}"u8.ToArray(), "msg_test");
        Assert.True(delivered.Delivered, delivered.Error);
        Assert.Single(receiver.Received);
    }
}
