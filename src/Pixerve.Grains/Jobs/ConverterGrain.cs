using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Storage;
using Pixerve.Imaging;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// Stateless and local to the calling JobGrain's silo, so the source is read from staging and the outputs
/// written to storage from one silo: no image bytes travel in grain messages.
/// </summary>
[StatelessWorker]
public sealed class ConverterGrain(
    IStagingStore staging,
    ImageConverter converter,
    RunningConversions running,
    ILogger<ConverterGrain> logger) : Grain, IConverterGrain
{
    public async Task<ConversionResult> Convert(ConversionRequest request)
    {
        var cancellationToken = running.For(request.CorrelationId);
        var submission = request.Submission;
        var spec = submission.Spec;
        var plan = request.Plan;
        var correlationId = request.CorrelationId;

        ReadOnlyMemory<byte> source;
        try
        {
            source = await ReadStagedAsync(submission, cancellationToken);
        }
        catch (StagedObjectNotFoundException e)
        {
            var gone = ConversionErrors.UploadGone(e, correlationId);
            logger.LogWarning("The staged upload {Blob} of {Hash} is gone [{CorrelationId}]", submission.StagedBlob, request.Hash, gone.CorrelationId);
            return ConversionResult.Of([], gone);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // The job hears of each output as it is made, and of the source as soon as it is described.
        var reporter = new ConversionReporter(request.JobId.Length > 0 ? GrainFactory.GetGrain<IJobGrain>(request.JobId) : null, request, logger);
        ConvertedImage converted;
        SourceInfo described;
        try
        {
            // Decoding, encoding and the placeholders are CPU-bound: keep them off the grain scheduler.
            // Cancelled, the call answers at once; the image work stops at its next step (or as libvips is killed).
            (converted, described) = await Task.Run(() =>
            {
                var image = converter.ConvertImage(source, plan.Select(Request).ToList(), cancellationToken, reporter);
                return (image, reporter.Source ?? ConversionReporter.Describe(image.Source));
            }, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (UndecodableImageException e)
        {
            logger.LogInformation("Source {Hash} could not be decoded [{CorrelationId}]: {Error}", request.Hash, correlationId, e.Message);
            return ConversionResult.Of([], ConversionErrors.Undecodable(e, correlationId));
        }

        logger.LogInformation("Converted {Hash} into {Count} outputs in {Elapsed:F0} ms",
            request.Hash, converted.Outputs.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        // The converter answers in plan order; each output's size as its progress report told it.
        var encoded = converted.Outputs.Zip(plan, (o, p) => new PlannedBytes(p, o.Bytes, ConversionReporter.Info(p, o, described)))
            .ToList();
        // Cancelled (too long, or the silo stopping past its grace) before anything is stored: nothing half-done.
        cancellationToken.ThrowIfCancellationRequested();
        var stored = await StoreAsync(spec, submission.SourceFormat, encoded, correlationId);
        return stored with
        {
            Source = described,
            Outputs = encoded.Select(o => o.Info).ToList(),
        };
    }

    /// <summary>The plan's output as the imaging library's own input (it knows nothing of the grains' wire types).</summary>
    private static OutputRequest Request(PlannedOutput output) =>
        new(output.Name, output.Format, output.Box is { } box ? new OutputBox(box.Width, box.Height, box.Fit, box.Gravity) : null,
            output.Quality, output.Speed) { Still = output.Still };

    /// <summary>One planned output with its bytes and what it came out as (real size, length).</summary>
    private sealed record PlannedBytes(PlannedOutput Plan, ReadOnlyMemory<byte> Bytes, OutputInfo Info);

    /// <summary>
    /// Hands every output to the storage grain of each backend the job names, all on this silo, in parallel.
    /// The job succeeds only when every output is on every backend; the error names each backend that failed.
    /// </summary>
    private async Task<ConversionResult> StoreAsync(JobSpec spec, SourceFormat sourceFormat, IReadOnlyList<PlannedBytes> encoded,
        string correlationId)
    {
        var outputs = encoded
            .Select(o => new OutputFile(o.Plan.Name, o.Plan.ContentType(sourceFormat), o.Bytes, o.Info.Width, o.Info.Height) { Fingerprint = o.Plan.Fingerprint })
            .ToList();
        var targets = new List<(string Backend, string? Key)>();
        if (spec.DirectHost) targets.Add(("direct", null));
        targets.AddRange(spec.StorageKeys.Select(entry => (entry.Key, (string?)entry.Value)));

        var results = await Task.WhenAll(targets.Select(async target =>
        {
            using var span = PixerveTracing.Source.StartActivity($"store {target.Backend}");
            span?.SetTag("pixerve.credential", target.Key);
            return await GrainFactory.GetGrain<IStorageGrain>(target.Backend)
                .Store(new StoreRequest(target.Key, spec.SubDir, outputs) { CorrelationId = correlationId });
        }));
        var files = results.SelectMany(r => r.Files).ToList();
        return ConversionResult.Of(files, JobError.Join(results.Select(r => r.Error).OfType<JobError>().ToList(), correlationId));
    }

    private async Task<ReadOnlyMemory<byte>> ReadStagedAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(checked((int)submission.SourceLength));
        await staging.ReadToAsync(submission.StagedBlob, buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
