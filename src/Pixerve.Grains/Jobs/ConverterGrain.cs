using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Pixerve.Imaging;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// Stateless and local to the calling JobGrain's silo, so the source is read from staging and the outputs
/// written to storage from one silo: no image bytes travel in grain messages.
/// </summary>
[StatelessWorker]
public sealed class ConverterGrain(
    BlobServiceClient blobs,
    ImageConverter converter,
    ILogger<ConverterGrain> logger) : Grain, IConverterGrain
{
    public async Task<ConversionResult> Convert(ConversionRequest request)
    {
        var submission = request.Submission;
        var spec = submission.Spec;
        var plan = request.Plan;

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

        return await StoreAsync(spec, submission.SourceFormat, encoded);
    }

    /// <summary>
    /// Hands every output to the storage grain of each backend the job names, all on this silo, in parallel.
    /// The job succeeds only when every output is on every backend; the error names each backend that failed.
    /// </summary>
    private async Task<ConversionResult> StoreAsync(JobSpec spec, SourceFormat sourceFormat, IReadOnlyList<EncodedOutput> encoded)
    {
        var outputs = encoded
            .Select(o => new OutputFile(o.Plan.Name, ContentType(o.Plan, sourceFormat), o.Bytes, o.Width, o.Height))
            .ToList();
        var targets = new List<(string Backend, string? Key)>();
        if (spec.DirectHost) targets.Add(("direct", null));
        targets.AddRange(spec.StorageKeys.Select(entry => (entry.Key, (string?)entry.Value)));

        var results = await Task.WhenAll(targets.Select(async target =>
        {
            using var span = PixerveTracing.Source.StartActivity($"store {target.Backend}");
            span?.SetTag("pixerve.credential", target.Key);
            return await GrainFactory.GetGrain<IStorageGrain>(target.Backend).Store(new StoreRequest(target.Key, spec.SubDir, outputs));
        }));
        var files = results.SelectMany(r => r.Files).ToList();
        var errors = results.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
        return new ConversionResult(files, errors.Count == 0 ? null : string.Join("; ", errors));
    }

    private static string ContentType(PlannedOutput plan, SourceFormat source) => plan.Format != OutputFormat.Original
        ? plan.ContentType
        : source switch
        {
            SourceFormat.Jpeg => "image/jpeg",
            SourceFormat.Png => "image/png",
            SourceFormat.Gif => "image/gif",
            SourceFormat.Webp => "image/webp",
            _ => "application/octet-stream",
        };

    private async Task<ReadOnlyMemory<byte>> ReadStagedAsync(JobSubmission submission)
    {
        var blob = blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer).GetBlobClient(submission.StagedBlob);
        using var buffer = new MemoryStream(checked((int)submission.SourceLength));
        await blob.DownloadToAsync(buffer);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
