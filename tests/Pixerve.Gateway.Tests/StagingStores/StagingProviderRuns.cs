using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Staging;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>
/// The paths that stage, on a cluster (silo and gateway) whose <c>Pixerve:Staging:Provider</c> is not the default:
/// an upload to its completed job and its original swept, and a resumable upload (tus-js-client) to its job.
/// </summary>
public abstract class StagingProviderRuns(PixerveFixture fixture)
{
    protected abstract string Provider { get; }

    private static object Job(string subDir) => new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 640 }, new[] { 160 } } } },
        directHost = true,
        subDir,
    };

    [Fact]
    public void The_silo_and_the_gateway_use_the_configured_store()
    {
        Assert.Equal(Provider, fixture.SiloService<IStagingStore>().Provider);
        Assert.Equal(Provider, fixture.GatewayService<IStagingStore>().Provider);
    }

    [Fact]
    public async Task An_upload_is_staged_converted_and_its_original_swept()
    {
        var token = fixture.Token(Job($"staging-{Provider}/{Guid.NewGuid():N}"));
        using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"), "photo.jpg", token));
        await HttpAssert.AssertOk(response);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var hash = answer.GetProperty("hash").GetString()!;
        var jobId = answer.GetProperty("job_id").GetString()!;

        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        var staged = (await fixture.SiloService<IGrainFactory>().GetGrain<IJobGrain>(jobId).GetSnapshot())!.StagedBlob!;
        // The silo read it from the configured store, and its sweep removes it there once the job is done with it.
        await Poll.UntilAsync(async () => await fixture.SiloService<IStagingStore>().GetAsync(staged, CancellationToken.None) is null,
            TimeSpan.FromMinutes(1), "the sweep to delete the staged original");
    }

    [Fact]
    public async Task A_resumable_upload_in_parts_becomes_a_completed_job()
    {
        var bytes = UniqueBytes.Jpeg("photo-1920x1280-canon.jpg");
        var file = Path.Combine(Directory.CreateTempSubdirectory("pixerve-tus-").FullName, "photo.jpg");
        await File.WriteAllBytesAsync(file, bytes);
        var token = fixture.Token(Job($"staging-{Provider}-tus/{Guid.NewGuid():N}"));

        var run = await TusJsClient.UploadAsync(new Uri(fixture.Http.BaseAddress!, "/uploads"), token, file, bytes.Length / 3 + 1);
        Assert.True(run.ExitCode == 0, run.ToString());
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(hash, run.Last("success")!.Value.GetProperty("hash").GetString());
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }
}
