using System.Net;
using Microsoft.Extensions.Options;
using Pixerve.Grains.Webhooks;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests;

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
    public void Only_public_addresses_are_reachable(string address, bool expected) =>
        Assert.Equal(expected, NetworkGuard.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task Callback_to_loopback_is_refused_at_connect_time_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // "localhost" is a name: only the resolved address shows where it leads.
        var url = receiver.Url.Replace("127.0.0.1", "localhost");
        using var guarded = new WebhookSender(Options.Create(new WebhookOptions { Secret = "s" }));
        var refused = await guarded.SendAsync(url, new Dictionary<string, string>(), "{}"u8.ToArray());
        Assert.False(refused.Delivered);
        Assert.Contains("loopback, private or link-local", refused.Error);
        Assert.Empty(receiver.Received);

        using var allowed = new WebhookSender(Options.Create(new WebhookOptions { Secret = "s", AllowPrivateNetworks = true }));
        var delivered = await allowed.SendAsync(receiver.Url, new Dictionary<string, string>(), "{}"u8.ToArray());
        Assert.True(delivered.Delivered, delivered.Error);
        Assert.Single(receiver.Received);
    }
}
