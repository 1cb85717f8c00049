namespace Pixerve.Imaging;

/// <summary>A GIF whose frames, not its logical screen, are past the pixel limit.</summary>
public sealed class GifFrameTooLargeException(int width, int height, long limit)
    : Exception($"the GIF has a frame of {width}×{height} pixels, more than the limit of {limit} pixels ({ImagingOptions.MaxSourcePixelsKey})")
{
    public int Width { get; } = width;
    public int Height { get; } = height;
}

/// <summary>
/// Walks a GIF's block structure as its bytes stream by (fed in any chunks) and measures every image
/// descriptor, since a 1×1 logical screen may hold an 8000×8000 frame that decoders allocate in full. Throws
/// <see cref="GifFrameTooLargeException"/> at the first frame whose size, or the canvas it spans, exceeds the
/// limit, and <see cref="AnimationTooLargeException"/> at the first frame past the frame limit or whose logical screen
/// times the frames so far passes the pixel limit (decoders make every frame a whole screen). Pixel data is skipped sub-block by sub-block; nothing is decoded. A structure it cannot follow ends
/// the walk: whether the file decodes at all is for the decoder to say.
/// </summary>
public sealed class GifFrameScanner(long maxPixels, int maxFrames = int.MaxValue)
{
    private enum State { Header, Skip, Block, ExtensionLabel, Descriptor, LzwMinimum, SubBlockSize, Done }

    private readonly byte[] _collect = new byte[13];
    private int _collected;
    private State _state = State.Header;
    private State _afterSkip;
    private long _skip;
    private int _screenWidth, _screenHeight;

    public int Frames { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (at < data.Length && _state != State.Done)
        {
            switch (_state)
            {
                case State.Header:
                    if (!Collect(data, ref at, 13)) break;
                    _screenWidth = _collect[6] | _collect[7] << 8;
                    _screenHeight = _collect[8] | _collect[9] << 8;
                    SkipTable(_collect[10], State.Block);
                    break;
                case State.Skip:
                    var step = (int)Math.Min(_skip, data.Length - at);
                    at += step;
                    _skip -= step;
                    if (_skip == 0) _state = _afterSkip;
                    break;
                case State.Block:
                    _state = data[at++] switch
                    {
                        0x21 => State.ExtensionLabel,
                        0x2C => State.Descriptor,
                        _ => State.Done, // trailer (0x3B) or something a decoder will refuse
                    };
                    _collected = 0;
                    break;
                case State.ExtensionLabel:
                    at++;
                    _state = State.SubBlockSize;
                    break;
                case State.Descriptor:
                    if (!Collect(data, ref at, 9)) break;
                    CheckFrame(_collect[0] | _collect[1] << 8, _collect[2] | _collect[3] << 8,
                        _collect[4] | _collect[5] << 8, _collect[6] | _collect[7] << 8);
                    SkipTable(_collect[8], State.LzwMinimum);
                    break;
                case State.LzwMinimum:
                    at++;
                    _state = State.SubBlockSize;
                    break;
                case State.SubBlockSize:
                    var size = data[at++];
                    if (size == 0) _state = State.Block;
                    else (_skip, _afterSkip, _state) = (size, State.SubBlockSize, State.Skip);
                    break;
            }
        }
    }

    private void CheckFrame(int left, int top, int width, int height)
    {
        Frames++;
        var canvasWidth = Math.Max(_screenWidth, left + width);
        var canvasHeight = Math.Max(_screenHeight, top + height);
        if ((long)width * height > maxPixels) throw new GifFrameTooLargeException(width, height, maxPixels);
        if ((long)canvasWidth * canvasHeight > maxPixels) throw new GifFrameTooLargeException(canvasWidth, canvasHeight, maxPixels);
        AnimationTooLargeException.ThrowIfPast(Frames, _screenWidth, _screenHeight, maxPixels, maxFrames);
    }

    /// <summary>A colour table follows when the packed byte's top bit is set: 3 × 2^(n+1) bytes.</summary>
    private void SkipTable(byte packed, State next)
    {
        _collected = 0;
        if ((packed & 0x80) == 0)
        {
            _state = next;
            return;
        }
        (_skip, _afterSkip, _state) = (3L << ((packed & 7) + 1), next, State.Skip);
    }

    private bool Collect(ReadOnlySpan<byte> data, ref int at, int count)
    {
        var take = Math.Min(count - _collected, data.Length - at);
        data.Slice(at, take).CopyTo(_collect.AsSpan(_collected));
        _collected += take;
        at += take;
        return _collected == count;
    }
}
