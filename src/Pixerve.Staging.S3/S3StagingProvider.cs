using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Staging.S3;

/// <summary><c>Pixerve:Staging:Provider</c> = <c>s3</c>: a bucket (<c>Pixerve:Staging:S3:*</c>).</summary>
public sealed class S3StagingProvider : IStagingProvider
{
    public string Name => StagingSettings.S3;

    public IStagingStore Create(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        return new S3StagingStore(S3StagingSettings.From(configuration.GetSection(StagingSettings.Section)));
    }

    public IReadOnlyList<string> Validate(IConfiguration staging) => S3StagingSettings.Problems(staging);
}
