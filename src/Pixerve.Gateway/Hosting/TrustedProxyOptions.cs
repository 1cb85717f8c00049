using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Pixerve.Gateway.Hosting;

/// <summary>
/// Bound from <c>Pixerve:ForwardedHeaders</c>: the load balancers whose <c>X-Forwarded-For</c>/<c>-Proto</c> the
/// gateway believes, so rate limits and logs see the client's address. None by default: a header from anyone
/// else is ignored (ASP.NET's own default would trust any loopback proxy).
/// </summary>
public sealed class TrustedProxyOptions : IValidatableObject
{
    public const string Section = "Pixerve:ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.4</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    public void ApplyTo(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies) options.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in KnownNetworks) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KnownProxies.FirstOrDefault(p => !IPAddress.TryParse(p, out _)) is { } proxy)
            yield return new ValidationResult($"'{proxy}' is not an IP address", [nameof(KnownProxies)]);
        if (KnownNetworks.FirstOrDefault(n => !System.Net.IPNetwork.TryParse(n, out _)) is { } network)
            yield return new ValidationResult($"'{network}' is not a network in CIDR form", [nameof(KnownNetworks)]);
    }
}
