using System.Buffers.Binary;

namespace Pixerve.Imaging.Inspection;

/// <summary>
/// Walks a WebP's RIFF chunks as its bytes stream by (fed in any chunks) and counts its frames (<c>ANMF</c>
/// chunks) against the frame limit and, times the <c>VP8X</c> canvas, against the pixel limit: an animated WebP's
/// header gives one frame's size while decoders allocate every frame. Throws <see cref="AnimationTooLargeException"/>
/// at the first frame past either. Chunk payloads are skipped; nothing is decoded. A structure it cannot follow ends
/// the walk: whether the file decodes at all is for the decoder to say.
/// </summary>
public sealed class WebpFrameScanner(long maxPixels, int maxFrames)
{
    private enum State { RiffHeader, ChunkHeader, CanvasSize, Skip, Done }

    private const int RiffHeaderLength = 12;
    private const int ChunkHeaderLength = 8;

    /// <summary>VP8X: flags (1), reserved (3), 24-bit canvas width - 1 and height - 1.</summary>
    private const int CanvasBytes = 10;

    private readonly FieldCollector _field = new(RiffHeaderLength);
    private State _state = State.RiffHeader;
    private long _skip;
    private int _canvasWidth, _canvasHeight;

    public int Frames { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (at < data.Length && _state != State.Done)
        {
            switch (_state)
            {
                case State.RiffHeader:
                    if (!_field.Fill(data, ref at, RiffHeaderLength)) break;
                    _state = _field.Bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) && _field.Bytes.AsSpan(8, 4).SequenceEqual("WEBP"u8)
                        ? State.ChunkHeader
                        : State.Done;
                    _field.Reset();
                    break;
                case State.ChunkHeader:
                    if (!_field.Fill(data, ref at, ChunkHeaderLength)) break;
                    _field.Reset();
                    var size = BinaryPrimitives.ReadUInt32LittleEndian(_field.Bytes.AsSpan(4));
                    // Payloads are padded to an even length.
                    var padded = size + (size & 1);
                    var fourCc = _field.Bytes.AsSpan(0, 4);
                    if (fourCc.SequenceEqual("VP8X"u8) && size >= CanvasBytes)
                    {
                        _skip = padded - CanvasBytes;
                        _state = State.CanvasSize;
                        break;
                    }

                    if (fourCc.SequenceEqual("ANMF"u8))
                        AnimationTooLargeException.ThrowIfPast(++Frames, _canvasWidth, _canvasHeight, maxPixels, maxFrames);
                    _skip = padded;
                    _state = _skip == 0 ? State.ChunkHeader : State.Skip;
                    break;
                case State.CanvasSize:
                    if (!_field.Fill(data, ref at, CanvasBytes)) break;
                    _field.Reset();
                    _canvasWidth = UInt24(_field.Bytes.AsSpan(4)) + 1;
                    _canvasHeight = UInt24(_field.Bytes.AsSpan(7)) + 1;
                    _state = _skip == 0 ? State.ChunkHeader : State.Skip;
                    break;
                case State.Skip:
                    var step = (int)Math.Min(_skip, data.Length - at);
                    at += step;
                    _skip -= step;
                    if (_skip == 0) _state = State.ChunkHeader;
                    break;
            }
        }
    }

    private static int UInt24(ReadOnlySpan<byte> b) => b[0] | b[1] << 8 | b[2] << 16;
}
