using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Cluster;

/// <summary>Bound from <c>Pixerve:Gateway</c>: the gateway's Orleans client.</summary>
public sealed class GatewayClientOptions
{
    public const string Section = "Pixerve:Gateway";

    /// <summary>
    /// A call in flight when its silo dies is never answered (the client does not fail it): it waits for this
    /// timeout, so keep it short; every call the gateway makes is a short grain turn.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan GrainCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the gateway rereads which silos are up (azure clustering).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often an open <c>/events</c> stream renews its subscription to the job and re-reads it: the longest a
    /// lost notification can delay an event. Below the subscription's one-minute lifetime.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan EventStreamRecheck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a stopping gateway keeps serving while it is not ready and refuses new uploads with 503, before it
    /// stops listening: the time a load balancer needs to see it leave (<see cref="Health.GatewayDrain"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.FromSeconds(5);
}
