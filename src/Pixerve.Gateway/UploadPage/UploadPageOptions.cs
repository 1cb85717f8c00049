using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.UploadPage;

/// <summary>
/// Bound from <c>Pixerve:Gateway</c>: the upload page at <c>GET /</c> and its bundle under <c>/upload-page/</c>
/// (Uppy over tus to <c>/uploads</c>, progress from <c>/events</c>). Off by default: <c>/</c> is a 404 as any other
/// unknown path.
/// </summary>
public sealed class UploadPageOptions
{
    public const string Section = "Pixerve:Gateway";

    /// <summary>Serves the upload page at <c>/</c> and its script, styles and notices at <c>/upload-page/…</c>.</summary>
    public bool UploadPage { get; set; }

    /// <summary>
    /// A job token the page's token field starts with (<c>run.sh</c> sets its demo token): whoever loads the page may
    /// upload with it, so only for a gateway that nobody else reaches. Empty: the field starts empty.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", ErrorMessage = "must be a JWT (three base64url parts)")]
    public string? UploadPageDemoToken { get; set; }
}
