using System.Text.Json;

namespace Pixerve.Testing;

/// <summary>
/// One job's <c>directHost</c> outputs as its upload answer named them (<c>expected_files</c>), relative to the serve
/// directory: what a durability test waits for without asking the job anything.
/// </summary>
/// <param name="Label">What the test calls the job (its file name), for a failure message a person can follow.</param>
public sealed record ExpectedOutputs(string JobId, string Hash, string Label, IReadOnlyList<string> Paths)
{
    /// <summary>From the answer of a one-file <c>POST /upload</c>; the files land under <paramref name="subDir"/> of the serve directory.</summary>
    public static ExpectedOutputs FromUploadAnswer(JsonElement answer, string subDir, string label)
    {
        var names = answer.GetProperty("expected_files").EnumerateArray().Select(n => n.GetString()!).ToList();
        if (names.Count == 0) throw new InvalidOperationException($"the upload of {label} expects no files: {answer}");
        return new ExpectedOutputs(answer.GetProperty("job_id").GetString()!, answer.GetProperty("hash").GetString()!, label,
            names.Select(name => Path.Combine(subDir, name)).ToList());
    }
}
