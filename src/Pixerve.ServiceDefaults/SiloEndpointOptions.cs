using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Pixerve;

/// <summary>
/// Bound from <c>Pixerve:Silo</c>: where a silo listens. Gateways read it too: with localhost clustering they
/// find their one silo at <see cref="GatewayPort"/>.
/// </summary>
public sealed class SiloEndpointOptions : IValidatableObject
{
    public const string Section = "Pixerve:Silo";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 11111;

    /// <summary>The port clients (gateways) connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and gateways reach this silo at (azure clustering); it also listens there.</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";

    public IPAddress AdvertisedAddress => IPAddress.Parse(AdvertisedIP);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(AdvertisedIP, out _))
            yield return new ValidationResult("must be an IP address", [nameof(AdvertisedIP)]);
    }
}
