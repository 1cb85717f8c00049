using System.Net;
using System.Net.Sockets;

namespace Pixerve.Grains.Webhooks;

/// <summary>
/// Tells global unicast addresses from the ones a callback must not reach (SSRF). Only global unicast is
/// allowed: every block of the IANA IPv4 and IPv6 special-purpose address registries is refused, and the IPv4
/// address inside an IPv6 transition address (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4) is classified
/// itself, so 64:ff9b::7f00:1 or 2002:a00:1:: cannot smuggle loopback or a private network past the check.
/// </summary>
public static class NetworkGuard
{
    private static readonly (uint Network, int Length)[] RefusedV4 =
    [
        (V4(0, 0, 0, 0), 8),        // "this network"
        (V4(10, 0, 0, 0), 8),       // private
        (V4(100, 64, 0, 0), 10),    // shared address space (carrier-grade NAT)
        (V4(127, 0, 0, 0), 8),      // loopback
        (V4(169, 254, 0, 0), 16),   // link-local, cloud metadata
        (V4(172, 16, 0, 0), 12),    // private
        (V4(192, 0, 0, 0), 24),     // IETF protocol assignments
        (V4(192, 0, 2, 0), 24),     // TEST-NET-1
        (V4(192, 31, 196, 0), 24),  // AS112-v4
        (V4(192, 52, 193, 0), 24),  // AMT
        (V4(192, 88, 99, 0), 24),   // deprecated 6to4 relay anycast
        (V4(192, 168, 0, 0), 16),   // private
        (V4(192, 175, 48, 0), 24),  // direct delegation AS112
        (V4(198, 18, 0, 0), 15),    // benchmarking
        (V4(198, 51, 100, 0), 24),  // TEST-NET-2
        (V4(203, 0, 113, 0), 24),   // TEST-NET-3
        (V4(224, 0, 0, 0), 4),      // multicast
        (V4(240, 0, 0, 0), 4),      // reserved, limited broadcast
    ];

    // Inside 2000::/3 (the only global unicast space); everything outside it is refused anyway.
    private static readonly (byte[] Network, int Length)[] RefusedV6 =
    [
        (V6("2001::"), 23),         // IETF protocol assignments (Teredo, ORCHID, benchmarking, AMT, ...)
        (V6("2001:db8::"), 32),     // documentation
        (V6("2620:4f:8000::"), 48), // direct delegation AS112
        (V6("3fff::"), 20),         // documentation
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;

        var b = address.GetAddressBytes();
        if (EmbeddedV4(b) is { } v4) return IsPublicV4(v4);
        if ((b[0] & 0xE0) != 0x20) return false; // outside 2000::/3: loopback, ULA, link-local, multicast, discard, SRv6, ...
        foreach (var (network, length) in RefusedV6)
            if (InPrefix(b, network, length)) return false;
        return true;
    }

    /// <summary>The IPv4 address an IPv6 transition address stands for, or null when it embeds none.</summary>
    public static byte[]? EmbeddedV4(byte[] b)
    {
        if (b.Length != 16) return null;
        bool ZeroTo(int end) { for (var i = 0; i < end; i++) if (b[i] != 0) return false; return true; }

        if (ZeroTo(10) && b[10] == 0xFF && b[11] == 0xFF) return b[12..16];                      // ::ffff:a.b.c.d (mapped)
        if (ZeroTo(12)) return b[12..16];                                                          // ::a.b.c.d (compatible; :: and ::1 too)
        if (ZeroTo(8) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0) return b[12..16]; // ::ffff:0:a.b.c.d (SIIT)
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)
        {
            if (b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0)
                return b[12..16];                                                                  // 64:ff9b::/96 (NAT64)
            return [0, 0, 0, 0];                                                                   // 64:ff9b:1::/48 (local-use NAT64) and the rest: never global
        }
        if (b[0] == 0x20 && b[1] == 0x02) return b[2..6];                                          // 2002::/16 (6to4)
        return null;
    }

    private static bool IsPublicV4(byte[] b)
    {
        var value = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        foreach (var (network, length) in RefusedV4)
            if (value >> (32 - length) == network >> (32 - length)) return false;
        return true;
    }

    private static bool InPrefix(byte[] address, byte[] network, int length)
    {
        for (var bit = 0; bit < length; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
        }
        return true;
    }

    private static uint V4(byte a, byte b, byte c, byte d) => (uint)(a << 24 | b << 16 | c << 8 | d);
    private static byte[] V6(string prefix) => IPAddress.Parse(prefix).GetAddressBytes();
}
