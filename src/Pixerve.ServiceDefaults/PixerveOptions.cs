using System.ComponentModel.DataAnnotations;

namespace Pixerve.ServiceDefaults;

/// <summary>Bound from <c>Pixerve</c>: the few settings at the top of the section.</summary>
public sealed class PixerveOptions : IValidatableObject
{
    public const string Section = "Pixerve";

    /// <summary>The admin token (<c>PIXERVE_ADMIN_TOKEN</c>); admin endpoints answer 403 without one.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Local data (<c>PIXERVE_DATA_DIR</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDir { get; set; } = ".data";

    /// <summary>Where <c>directHost</c> outputs are written and served from (<c>PIXERVE_SERVE_DIR</c>); default <c>{DataDir}/files</c>.</summary>
    public string? ServeDir { get; set; }

    public string FullDataDir => Path.GetFullPath(DataDir);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Empty means "not set" (admin endpoints off); a short or published one would be guessable.
        if (AdminToken is { Length: > 0 } token && SecretRules.Problem(token) is { } problem)
            yield return new ValidationResult($"(PIXERVE_ADMIN_TOKEN) {problem}", [nameof(AdminToken)]);
    }

    public string FullServeDir => Path.GetFullPath(ServeDir is { Length: > 0 } dir ? dir : Path.Combine(FullDataDir, "files"));
}
