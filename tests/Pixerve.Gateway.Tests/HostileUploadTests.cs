using System.Net;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>Every hostile header in <see cref="HostileHeaders"/> through <c>POST /upload</c>: refused with its status, nothing staged.</summary>
[Collection(PixerveCollection.Name)]
public sealed class HostileUploadTests(PixerveFixture fixture)
{
    [Theory]
    [MemberData(nameof(HostileHeaders.Names), MemberType = typeof(HostileHeaders))]
    public async Task Each_hostile_header_is_refused_at_upload_saying_why_and_stages_nothing(string name)
    {
        var hostile = HostileHeaders.Named(name);
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 100 } } } }, directHost = true, subDir = "hostile" });

        using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(hostile.Bytes, hostile.FileName, token));

        var problem = await HttpAssert.AssertProblem(response, (HttpStatusCode)hostile.UploadStatus);
        Assert.Contains(hostile.Says, problem.GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(before);
    }
}
