using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Imaging.Inspection.Heif;

namespace Pixerve.Gateway.Upload;

/// <summary>The start of an upload, read far enough to know its format and size; or why it is refused.</summary>
/// <param name="EndedEarly">Refused only because the bytes ended before the format or the size could be read: more bytes may settle it.</param>
public sealed record HeaderScan(ReadOnlyMemory<byte> Bytes, SourceFormat Format, int Width, int Height, int RefusalStatus = 0, string? Refusal = null,
    bool EndedEarly = false);

/// <summary>
/// Reads just enough of an upload to know its format and pixel dimensions, so that a file that is not an
/// image, or a decompression bomb, is refused before anything is staged or decoded. The bytes read are handed
/// on to staging, so nothing is read twice. An AVIF or HEIC is read to the end of its meta box (and any grid
/// description stored after it): every size it declares counts, and an ambiguous structure is a 415
/// (<see cref="HeifStructure"/>).
/// </summary>
public static class UploadHeaderReader
{
    private const int FirstBuffer = 16 * 1024;

    public static async Task<HeaderScan> ReadAsync(Stream body, UploadOptions uploads, ImageLimitsOptions limits, CancellationToken cancellationToken)
    {
        var maxBytes = Math.Clamp(uploads.MaxHeaderBytes, ImageSniffer.HeaderLength, UploadOptions.MaxHeaderBytesCeiling);
        var buffer = new byte[Math.Min(FirstBuffer, maxBytes)];
        var length = await body.ReadAtLeastAsync(buffer.AsMemory(0, ImageSniffer.HeaderLength), ImageSniffer.HeaderLength,
            throwOnEndOfStream: false, cancellationToken);
        if (length == 0) return Refuse(buffer, 0, default, StatusCodes.Status400BadRequest, "the uploaded file is empty");
        if (ImageSniffer.Detect(buffer.AsSpan(0, length)) is not { } format)
            return Refuse(buffer, length, default, StatusCodes.Status415UnsupportedMediaType,
                $"the file is not a supported image: send {SourceFormats.Titles}") with { EndedEarly = length < ImageSniffer.HeaderLength };
        // The gateway decodes nothing, but gateways and silos share their machines' packages: without libheif's
        // HEVC decoder a HEIC is refused here, naming the format, rather than failing later as a job.
        if (format == SourceFormat.Heic && HeifSupport.Unavailable is { } why)
            return Refuse(buffer, length, format, StatusCodes.Status415UnsupportedMediaType, $"HEIC images are not supported by this server: {why}");

        while (true)
        {
            var read = ImageDimensions.Read(format, buffer.AsSpan(0, length));
            if (read.Read == HeaderRead.Found)
            {
                // In long: 65536×65536 is 2^32 pixels, 0 in an int, and would pass any limit.
                return read.Pixels <= limits.MaxSourcePixels
                    ? new HeaderScan(buffer.AsMemory(0, length), format, read.Width, read.Height)
                    : Refuse(buffer, length, format, StatusCodes.Status413PayloadTooLarge,
                        $"the image is {read.Width}×{read.Height} pixels{(read.Detail is { } of ? $" ({of})" : "")}, more than the limit of {limits.MaxSourcePixels} pixels ({ImageLimitsOptions.MaxSourcePixelsKey})");
            }

            if (read.Read == HeaderRead.NeedMore && length == buffer.Length && buffer.Length < maxBytes)
                Array.Resize(ref buffer, (int)Math.Min(4L * buffer.Length, maxBytes)); // most headers fit the first buffer
            var got = read.Read == HeaderRead.NeedMore && length < buffer.Length
                ? await body.ReadAsync(buffer.AsMemory(length), cancellationToken)
                : 0;
            if (got == 0)
                return Refuse(buffer, length, format, StatusCodes.Status415UnsupportedMediaType, read.Read == HeaderRead.Invalid || length < maxBytes
                    ? read.Detail is { } problem
                        ? $"the {format} header is refused: {problem}"
                        : $"the {format} header is malformed or cut short: its dimensions cannot be read"
                    : $"the {format} dimensions are not within the first {maxBytes / 1024} KB of the file")
                    with { EndedEarly = read.Read == HeaderRead.NeedMore && length < maxBytes };
            length += got;
        }
    }

    private static HeaderScan Refuse(byte[] buffer, int length, SourceFormat format, int status, string detail) =>
        new(buffer.AsMemory(0, length), format, 0, 0, status, detail);
}
