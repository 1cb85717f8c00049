namespace Pixerve.Imaging.Inspection;

/// <summary>A GIF whose frames, not its logical screen, are past the pixel limit.</summary>
public sealed class GifFrameTooLargeException(int width, int height, long limit)
    : Exception($"the GIF has a frame of {width}×{height} pixels, more than the limit of {limit} pixels ({ImageLimitsOptions.MaxSourcePixelsKey})")
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

    private readonly FieldCollector _field = new(13);
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
                    if (!_field.Fill(data, ref at, 13)) break;
                    _screenWidth = _field.Bytes[6] | _field.Bytes[7] << 8;
                    _screenHeight = _field.Bytes[8] | _field.Bytes[9] << 8;
                    SkipTable(_field.Bytes[10], State.Block);
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
                    _field.Reset();
                    break;
                case State.ExtensionLabel:
                    at++;
                    _state = State.SubBlockSize;
                    break;
                case State.Descriptor:
                    if (!_field.Fill(data, ref at, 9)) break;
                    CheckFrame(_field.Bytes[0] | _field.Bytes[1] << 8, _field.Bytes[2] | _field.Bytes[3] << 8,
                        _field.Bytes[4] | _field.Bytes[5] << 8, _field.Bytes[6] | _field.Bytes[7] << 8);
                    SkipTable(_field.Bytes[8], State.LzwMinimum);
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
        _field.Reset();
        if ((packed & 0x80) == 0)
        {
            _state = next;
            return;
        }
        (_skip, _afterSkip, _state) = (3L << ((packed & 7) + 1), next, State.Skip);
    }
}
