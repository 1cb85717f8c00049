namespace Pixerve.Staging;

/// <summary>Bound from <c>Pixerve:Staging</c>: which store holds the staged uploads.</summary>
public sealed class StagingSettings
{
    public const string Section = "Pixerve:Staging";
    public const string ProviderKey = Section + ":Provider";

    public const string AzureBlob = "azure-blob";
    public const string S3 = "s3";
    public const string Filesystem = "filesystem";

    /// <summary><c>azure-blob</c> (the default: the cluster's storage account), <c>s3</c> or <c>filesystem</c>.</summary>
    public string Provider { get; set; } = AzureBlob;
}
