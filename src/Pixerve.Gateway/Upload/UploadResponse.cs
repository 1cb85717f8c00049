namespace Pixerve.Gateway.Upload;

public sealed record UploadResponse(string Hash, IReadOnlyList<string> ExpectedFiles);
