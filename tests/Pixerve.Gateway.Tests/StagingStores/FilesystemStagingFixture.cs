using Pixerve.Staging;
using Pixerve.Staging.Filesystem;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>A cluster whose staging is a folder (<c>Pixerve:Staging:Provider</c> = <c>filesystem</c>), removed after.</summary>
public sealed class FilesystemStagingFixture : PixerveFixture
{
    public string Root { get; } = Directory.CreateTempSubdirectory("pixerve-staging-").FullName;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new(StagingSettings.ProviderKey, StagingSettings.Filesystem),
        new(FilesystemStagingProvider.RootKey, Root),
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
