using System.ComponentModel.DataAnnotations;

namespace Pixerve;

/// <summary>How silos find each other.</summary>
public enum ClusterMode
{
    /// <summary>One silo on this machine, found by its gateway port.</summary>
    Localhost,

    /// <summary>Any number of silos, found through the storage account's membership table.</summary>
    Azure,
}

/// <summary>Bound from <c>Pixerve:Cluster</c> by silos and gateways alike, so both sides name the same cluster.</summary>
public sealed class ClusteringOptions
{
    public const string Section = "Pixerve:Cluster";

    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;

    /// <summary>Silos and gateways of one deployment share it; a second deployment in the same account picks another.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"\A[A-Za-z0-9-]{1,63}\z", ErrorMessage = "must be 1 to 63 letters, digits or dashes")]
    public string Id { get; set; } = "pixerve";
}
