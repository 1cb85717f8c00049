using System.Text;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// The deterministic output names (docs/http-api.md, "Output names"), shared by the gateway's answer and the converter. A name says
/// nothing of the settings, so each planned output also carries its <see cref="OutputFingerprint"/>.
/// </summary>
public static class OutputPlan
{
    private const int MaxBaseNameLength = 100;

    public static IReadOnlyList<PlannedOutput> For(string hash, string baseName, SourceFormat source, JobSpec spec)
    {
        var outputs = new List<PlannedOutput>();
        var copyName = $"{hash}_{baseName}.{source.Extension()}";
        var copyPlanned = false;
        foreach (var format in spec.Formats)
        {
            if (format.Format.Info().IsCopy)
            {
                if (!copyPlanned)
                {
                    outputs.Add(Fingerprinted(hash, new PlannedOutput(copyName, OutputFormat.Original, null, null, null)));
                    copyPlanned = true;
                }
                continue;
            }

            foreach (var box in format.Sizes)
            {
                var name = $"{hash}_{baseName}_{box.Height}_{box.Width}_.{Extension(format.Format)}";
                outputs.Add(Fingerprinted(hash, new PlannedOutput(name, format.Format, box, format.Quality, format.Speed) { Still = format.Still }));
            }
        }

        if (spec.KeepOriginal && !copyPlanned)
            outputs.Add(Fingerprinted(hash, new PlannedOutput(copyName, OutputFormat.Original, null, null, null)));
        return outputs;
    }

    /// <summary>The plan with every output's fingerprint, for plans stored before fingerprints were part of them.</summary>
    public static IReadOnlyList<PlannedOutput> WithFingerprints(string hash, IReadOnlyList<PlannedOutput> plan) =>
        plan.All(p => p.Fingerprint.Length > 0) ? plan : plan.Select(p => p.Fingerprint.Length > 0 ? p : Fingerprinted(hash, p)).ToList();

    private static PlannedOutput Fingerprinted(string hash, PlannedOutput output) =>
        output with { Fingerprint = OutputFingerprint.Of(hash, output) };

    /// <summary>The extension of <paramref name="format"/>'s outputs (<see cref="OutputFormats"/>).</summary>
    public static string Extension(OutputFormat format) =>
        format.Info().Extension ?? throw new ArgumentOutOfRangeException(nameof(format), "a copy keeps the source's extension");

    /// <summary>The uploaded file name without directories or extension, reduced to <c>[A-Za-z0-9._-]</c>.</summary>
    public static string BaseName(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        if (dot > 0) name = name[..dot];

        var clean = new StringBuilder(Math.Min(name.Length, MaxBaseNameLength));
        foreach (var c in name)
        {
            if (clean.Length == MaxBaseNameLength) break;
            clean.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        // Leading dots would make hidden files (or "..") on file-system backends.
        var result = clean.ToString().TrimStart('.');
        return result.Length == 0 ? "original" : result;
    }
}
