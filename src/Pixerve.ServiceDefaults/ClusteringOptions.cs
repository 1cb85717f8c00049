using System.ComponentModel.DataAnnotations;

namespace Pixerve.ServiceDefaults;

/// <summary>How silos find each other.</summary>
public enum ClusterMode
{
    /// <summary>
    /// Any number of silos, found through the membership table in the <see cref="ClusterProvider"/>'s store (the
    /// default; the name is from when Azure Storage was the only store).
    /// </summary>
    Azure,

    /// <summary>
    /// One silo on this machine, found by its gateway port, with no membership table. A gateway is slow to trust a
    /// silo restarted in its place (the restarted silo's manifest versions start again from zero).
    /// </summary>
    Localhost,

    /// <summary>
    /// As <see cref="Azure"/> (membership, grain state and reminders in the provider's store), and silos also watch the
    /// Kubernetes API (<c>Microsoft.Orleans.Hosting.Kubernetes</c>): each advertises its pod's IP (<c>POD_IP</c>), is
    /// named after its pod (<c>POD_NAME</c>), and a silo whose pod is gone is declared dead at once. Gateways treat it as
    /// <see cref="Azure"/>. See deploy/kubernetes.
    /// </summary>
    Kubernetes,
}

/// <summary>
/// Where the cluster keeps what it shares: the membership table (unless <see cref="ClusterMode.Localhost"/>), grain
/// state and reminders, on silos and the gateway's cluster client alike.
/// </summary>
public enum ClusterProvider
{
    /// <summary>Azure Storage tables and blobs (<c>Pixerve:Storage:ConnectionString</c>; Azurite by default).</summary>
    Azure,

    /// <summary>PostgreSQL through Orleans' ADO.NET providers (<c>Pixerve:Cluster:Postgres:ConnectionString</c>).</summary>
    Postgres,

    /// <summary>Redis through Orleans' Redis providers (<c>Pixerve:Cluster:Redis:ConnectionString</c>).</summary>
    Redis,
}

/// <summary>Bound from <c>Pixerve:Cluster</c> by silos and gateways alike, so both sides name the same cluster.</summary>
public sealed class ClusteringOptions
{
    public const string Section = "Pixerve:Cluster";

    /// <summary>
    /// The provider stores' connection strings, named here because the cluster client key derives from them; the
    /// provider packages bind and check them.
    /// </summary>
    public const string PostgresConnectionStringKey = Section + ":Postgres:ConnectionString";
    public const string RedisConnectionStringKey = Section + ":Redis:ConnectionString";

    /// <summary>
    /// Azure by default: every Pixerve has the storage account anyway, and a gateway keeps working through silo
    /// restarts only when membership (and so each silo's generation) is in a table.
    /// </summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Azure;

    /// <summary>The store of membership, grain state and reminders; <c>azure</c> unless set.</summary>
    public ClusterProvider Provider { get; set; } = ClusterProvider.Azure;

    /// <summary>Silos and gateways of one deployment share it; a second deployment in the same account picks another.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"\A[A-Za-z0-9-]{1,63}\z", ErrorMessage = "must be 1 to 63 letters, digits or dashes")]
    public string Id { get; set; } = "pixerve";
}
