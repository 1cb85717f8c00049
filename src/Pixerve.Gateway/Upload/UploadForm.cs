namespace Pixerve.Gateway.Upload;

/// <summary>The multipart body of <c>POST /upload</c>, for the OpenAPI document (the handler streams it).</summary>
/// <param name="Token">The job token, when not sent as <c>Authorization: Bearer</c>; it must precede the file.</param>
public sealed record UploadForm(string? Token, IFormFile File);
