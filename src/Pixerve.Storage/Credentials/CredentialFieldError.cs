namespace Pixerve.Storage.Credentials;

/// <summary>Why one field of a credential is refused; <paramref name="Field"/> is the field's name (without <c>data.</c>).</summary>
public sealed record CredentialFieldError(string Field, string Message);
