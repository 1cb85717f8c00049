namespace Pixerve.Storage.Gcs;

/// <summary>Bound from <c>Pixerve:Storage:Gcs</c>: how this server talks to every GCS credential.</summary>
public sealed class GcsStorageOptions
{
    public const string Section = "Pixerve:Storage:Gcs";

    /// <summary>
    /// Self-signed JWTs: no round trip to the token endpoint and nothing to refresh. Turn off for an endpoint that
    /// only takes OAuth access tokens.
    /// </summary>
    public bool UseJwtAccessWithScopes { get; set; } = true;
}
