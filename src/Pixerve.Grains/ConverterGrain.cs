using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Pixerve.Grains.Imaging;
using Pixerve.Grains.Storage;

namespace Pixerve.Grains;

/// <summary>
/// Stateless and local to the calling JobGrain's silo, so the source is read from staging and the outputs
/// written to storage from one silo: no image bytes travel in grain messages.
/// </summary>
[StatelessWorker]
public sealed class ConverterGrain(
    BlobServiceClient blobs,
    ImageConverter converter,
    DirectHostStore directHost,
    ILogger<ConverterGrain> logger) : Grain, IConverterGrain
{
    public async Task<ConversionResult> Convert(ConversionRequest request)
    {
        var submission = request.Submission;
        var spec = submission.Spec;
        var plan = OutputPlan.For(request.Hash, submission.BaseName, submission.SourceFormat, spec);

        ReadOnlyMemory<byte> source;
        try
        {
            source = await ReadStagedAsync(submission);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return ConversionResult.Failure("the staged upload is gone (it may have been cleaned up): upload the file again");
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<EncodedOutput> encoded;
        try
        {
            // Decoding and encoding are CPU-bound: keep them off the grain scheduler.
            encoded = await Task.Run(() => converter.Convert(source, plan));
        }
        catch (UndecodableImageException e)
        {
            return ConversionResult.Failure(e.Message);
        }

        logger.LogInformation("Converted {Hash} into {Count} outputs in {Elapsed:F0} ms",
            request.Hash, encoded.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        var files = new List<StoredFile>(encoded.Count);
        foreach (var output in encoded)
        {
            if (spec.DirectHost)
                files.Add(await directHost.WriteAsync(spec.SubDir, output.Plan.Name, output.Bytes, output.Width, output.Height, CancellationToken.None));
        }

        return new ConversionResult(files, null);
    }

    private async Task<ReadOnlyMemory<byte>> ReadStagedAsync(JobSubmission submission)
    {
        var blob = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer).GetBlobClient(submission.StagedBlob);
        using var buffer = new MemoryStream(checked((int)submission.SourceLength));
        await blob.DownloadToAsync(buffer);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
