namespace Pixerve.Gateway.Upload;

/// <summary>
/// The upload's request body, held to a small limit until the caller is known. Kestrel's own limit cannot be
/// raised once the body is being read, and a token sent as a form field is only known by reading it, so the
/// gateway lets Kestrel take the largest upload allowed and holds an unauthenticated body to
/// <see cref="Limit"/> here, raising it once the token is valid.
/// </summary>
public sealed class PreAuthBodyStream(Stream inner, long limit) : Stream
{
    public long Limit { get; private set; } = limit;

    /// <summary>True once the caller's token was found valid (and the limit raised).</summary>
    public bool Admitted { get; private set; }

    public void Admit(long limit)
    {
        Limit = limit;
        Admitted = true;
    }

    public long BytesRead { get; private set; }

    /// <summary>True once the body's end was reached: nothing of it is left unread.</summary>
    public bool Ended { get; private set; }

    /// <summary>True once anything asked for the body: then Kestrel has sent <c>100 Continue</c> to a client that waits for it.</summary>
    public bool Started { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Started = true;
        // Never read past the limit: the byte after it is enough to know the body is too large.
        var allowed = (int)Math.Min(buffer.Length, Math.Max(1, Limit - BytesRead + 1));
        var read = await inner.ReadAsync(buffer[..allowed], cancellationToken);
        if (read == 0 && buffer.Length > 0) Ended = true;
        BytesRead += read;
        if (BytesRead > Limit)
            throw new BadHttpRequestException($"the request body is larger than {Limit} bytes", StatusCodes.Status413PayloadTooLarge);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("the upload body is read asynchronously");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
