using Pixerve.Storage.Sftp;


namespace Pixerve.Storage.Tests;

public sealed class SftpHostKeysTests
{
    private const string Sha256 = "nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
    private const string Md5 = "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e";

    [Theory]
    [InlineData("SHA256:" + Sha256, true)]
    [InlineData("SHA256:" + Sha256 + "=", true)]
    [InlineData(Sha256, true)]
    [InlineData("MD5:" + Md5, true)]
    [InlineData("D41D8CD98F00B204E9800998ECF8427E", true)]
    [InlineData("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false)]
    public void A_pinned_fingerprint_matches_in_the_forms_ssh_keygen_prints(string pinned, bool matches) =>
        Assert.Equal(matches, SftpHostKeys.Matches(pinned, Sha256, Md5));
}
