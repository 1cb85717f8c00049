using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pixerve.GrainInterfaces.Records;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// What an output's bytes are made of, as a short digest: the same work gives the same fingerprint, any setting that
/// differs gives another. Output names leave the settings out (<c>{hash}_{base}_{H}_{W}_.{ext}</c>), so two jobs can
/// plan one name for different bytes; the fingerprint is what tells them apart (<see cref="IContentJobsGrain"/>, and
/// the metadata of backends that keep it beside the file).
/// </summary>
public static class OutputFingerprint
{
    /// <summary>Hex characters kept of the SHA-256: 128 bits, plenty among the outputs of one content hash.</summary>
    public const int Length = 32;

    /// <summary>
    /// Every field of the plan that decides the bytes, each as given: a setting left out and the same setting given
    /// at its default count as different work (refusing a name is recoverable, replacing a file is not). A copy is the
    /// source itself, so only the content hash counts for it.
    /// </summary>
    public static string Of(string hash, PlannedOutput output)
    {
        var text = output.Box is { } box
            ? string.Create(CultureInfo.InvariantCulture,
                $"pixerve-output/1\n{hash}\n{output.Format}\n{box.Width}x{box.Height}\n{box.Fit}\n{box.Gravity}\nquality={output.Quality}\nspeed={output.Speed}\nstill={output.Still}")
            : $"pixerve-output/1\n{hash}\ncopy";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..Length];
    }
}
