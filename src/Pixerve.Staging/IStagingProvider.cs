namespace Pixerve.Staging;

/// <summary>
/// One kind of staging store, registered by the host (<c>AddAzureBlobStaging()</c>, <c>AddS3Staging()</c>; the
/// filesystem comes with <see cref="StagingServiceCollectionExtensions.AddPixerveStaging"/>); the one named by
/// <c>Pixerve:Staging:Provider</c> makes the store.
/// </summary>
public interface IStagingProvider
{
    /// <summary>The value of <c>Pixerve:Staging:Provider</c> that chooses it.</summary>
    string Name { get; }

    /// <summary>Makes the store from its settings (checked when the host starts, by <see cref="Validate"/>).</summary>
    IStagingStore Create(IServiceProvider services);

    /// <summary>What is wrong with the provider's settings under <c>Pixerve:Staging</c>, each naming its key; empty when nothing.</summary>
    IReadOnlyList<string> Validate(Microsoft.Extensions.Configuration.IConfiguration staging);
}
