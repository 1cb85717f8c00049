using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Bound from <c>Pixerve:Silo</c>: where a silo listens, and how long it takes to stop. Gateways read it too: with
/// localhost clustering they find their one silo at <see cref="GatewayPort"/>.
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

    /// <summary>
    /// How long a stopping silo (SIGTERM) lets its running conversions finish before it hands them back to the
    /// cluster. Below Kubernetes' grace (130 s in deploy/kubernetes), leaving room to leave the cluster.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>What the host allows the whole shutdown: the grace, then handing back and leaving the cluster.</summary>
    public TimeSpan HostShutdownTimeout => ShutdownGrace + TimeSpan.FromSeconds(25);

    public IPAddress AdvertisedAddress => IPAddress.Parse(AdvertisedIP);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(AdvertisedIP, out _))
            yield return new ValidationResult("must be an IP address", [nameof(AdvertisedIP)]);
    }
}
