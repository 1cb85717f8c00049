using Pixerve.Gateway.Upload;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Gateway.Staging;

/// <summary>A file part whose bytes are in the staging container, waiting to be submitted; or the refusal that stopped it.</summary>
public sealed record StagedFile(
    string FileName, JobSpec? Spec, string? SpecJson, string Subject, SourceFormat Format, StagedUpload? Staged, FileOutcome? Refusal)
{
    public static StagedFile Refused(FileOutcome refusal) => new(refusal.FileName, null, null, "", default, null, refusal);
}
