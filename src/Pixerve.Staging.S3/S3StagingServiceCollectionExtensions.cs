using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Staging.S3;

public static class S3StagingServiceCollectionExtensions
{
    /// <summary>Lets <c>s3</c> staging be chosen (<c>Pixerve:Staging:Provider</c>), with its settings under <c>Pixerve:Staging:S3</c>.</summary>
    public static IServiceCollection AddS3Staging(this IServiceCollection services) => services.AddStagingProvider(new S3StagingProvider());
}
