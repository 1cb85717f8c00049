using Microsoft.Extensions.Configuration;

namespace Pixerve.Staging.S3;

/// <summary>Read from <c>Pixerve:Staging:S3</c>: the bucket that holds the staged uploads, and how to reach it.</summary>
public sealed record S3StagingSettings
{
    public const string Section = StagingSettings.Section + ":S3";

    public required string Bucket { get; init; }

    /// <summary>Put before every key (<c>staging/</c>); a slash is added when it does not end with one. Empty for none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The bucket's region; absent, the SDK's own (<c>AWS_REGION</c>, the profile), or us-east-1 with <see cref="ServiceUrl"/>.</summary>
    public string? Region { get; init; }

    /// <summary>An S3-compatible endpoint (MinIO, …); null for Amazon's own.</summary>
    public string? ServiceUrl { get; init; }

    public bool ForcePathStyle { get; init; }

    /// <summary>With <see cref="SecretAccessKey"/>, or neither: then the SDK's default credential chain (environment, profile, instance role, web identity).</summary>
    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    /// <summary>
    /// What is wrong with the settings under <c>Pixerve:Staging</c>, each naming its key, never a secret's value; empty
    /// when nothing.
    /// </summary>
    public static IReadOnlyList<string> Problems(IConfiguration staging)
    {
        var s3 = staging.GetSection("S3");
        var problems = new List<string>();
        var bucket = s3["Bucket"];
        if (string.IsNullOrWhiteSpace(bucket))
            problems.Add($"{Section}:Bucket is required when {StagingSettings.ProviderKey} is {StagingSettings.S3}: the bucket that holds the staged uploads");
        else if (bucket.Trim().Length is < 3 or > 63 || bucket.Trim().Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
            problems.Add($"{Section}:Bucket '{bucket}' is not a bucket name (3 to 63 lowercase letters, digits, '-' and '.')");
        if (s3["ServiceUrl"] is { Length: > 0 } url &&
            !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            problems.Add($"{Section}:ServiceUrl must be an absolute http or https address (it is '{url}')");
        if (s3["ForcePathStyle"] is { Length: > 0 } flag && !bool.TryParse(flag, out _))
            problems.Add($"{Section}:ForcePathStyle must be true or false (it is '{flag}')");
        var hasId = !string.IsNullOrWhiteSpace(s3["AccessKeyId"]);
        var hasSecret = !string.IsNullOrWhiteSpace(s3["SecretAccessKey"]);
        if (hasId != hasSecret)
            problems.Add(hasId
                ? $"{Section}:SecretAccessKey is required with {Section}:AccessKeyId (set both, or neither for the SDK's default credentials)"
                : $"{Section}:AccessKeyId is required with {Section}:SecretAccessKey (set both, or neither for the SDK's default credentials)");
        return problems;
    }

    /// <summary>The settings, once <see cref="Problems"/> found none.</summary>
    public static S3StagingSettings From(IConfiguration staging)
    {
        var s3 = staging.GetSection("S3");
        var prefix = s3["Prefix"]?.Trim().TrimStart('/') ?? "";
        return new S3StagingSettings
        {
            Bucket = s3["Bucket"]!.Trim(),
            Prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/",
            Region = NullIfEmpty(s3["Region"]),
            ServiceUrl = NullIfEmpty(s3["ServiceUrl"]),
            ForcePathStyle = bool.TryParse(s3["ForcePathStyle"], out var pathStyle) && pathStyle,
            AccessKeyId = NullIfEmpty(s3["AccessKeyId"]),
            SecretAccessKey = NullIfEmpty(s3["SecretAccessKey"]),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // A record prints its properties: the secret stays out of any log that prints the settings.
    public override string ToString() => $"S3StagingSettings {{ Bucket = {Bucket}, Prefix = {Prefix}, Region = {Region}, ServiceUrl = {ServiceUrl} }}";
}
