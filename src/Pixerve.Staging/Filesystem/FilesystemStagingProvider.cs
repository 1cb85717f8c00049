using Microsoft.Extensions.Configuration;

namespace Pixerve.Staging.Filesystem;

/// <summary><c>Pixerve:Staging:Provider</c> = <c>filesystem</c>: a folder every silo and gateway mounts (<c>Pixerve:Staging:Filesystem:Root</c>).</summary>
public sealed class FilesystemStagingProvider : IStagingProvider
{
    public const string RootKey = StagingSettings.Section + ":Filesystem:Root";

    public string Name => StagingSettings.Filesystem;

    public IStagingStore Create(IServiceProvider services)
    {
        var configuration = (IConfiguration)services.GetService(typeof(IConfiguration))!;
        return new FilesystemStagingStore(configuration[RootKey]!);
    }

    public IReadOnlyList<string> Validate(IConfiguration staging)
    {
        var root = staging["Filesystem:Root"];
        if (string.IsNullOrWhiteSpace(root)) return [$"{RootKey} is required when {StagingSettings.ProviderKey} is {Name}: the shared folder that holds the staged uploads"];
        if (!Path.IsPathFullyQualified(root)) return [$"{RootKey} must be an absolute path (it is '{root}')"];
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"{RootKey}: the folder '{root}' cannot be created ({e.Message})"];
        }

        return [];
    }
}
