using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Credentials;

/// <summary>
/// Bound from <c>Pixerve:DataProtection</c> by silos: the certificate that encrypts the Data Protection key ring at
/// rest (the keys that decrypt stored storage credentials). None named: the keys are stored unencrypted, and
/// whoever reads the <c>pixerve-keys</c> container can decrypt every credential.
/// </summary>
public sealed class KeyRingOptions : CertificateOptions
{
    public const string Section = "Pixerve:DataProtection";
}
