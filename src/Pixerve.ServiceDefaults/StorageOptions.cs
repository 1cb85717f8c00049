using System.ComponentModel.DataAnnotations;

namespace Pixerve.ServiceDefaults;

/// <summary>Bound from <c>Pixerve:Storage</c>: the Azure Storage account of grain state, reminders, membership and staging.</summary>
public sealed class StorageOptions
{
    public const string Section = "Pixerve:Storage";

    /// <summary><c>PIXERVE_STORAGE_CONNECTION_STRING</c>; Azurite's development account by default.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = PixerveConfiguration.DevelopmentStorage;
}
