using System.Buffers.Binary;

namespace Pixerve.Imaging.Inspection.Heif;

/// <summary>A HEIF file whose structure is ambiguous or malformed; the message is meant for the user.</summary>
public sealed class HeifStructureException(string message) : Exception(message);

/// <summary>
/// Walks a HEIF file's top-level boxes as its bytes stream by (fed in any chunks) and throws
/// <see cref="HeifStructureException"/> at a second <c>meta</c> box: libheif reads every top-level box and takes the
/// last <c>meta</c>, so one after the media data would go unseen by a check of the file's start (64×64 there, 30000×30000
/// at the end). Box contents are skipped; nothing is decoded. A box header that does not parse ends the walk, as it
/// ends libheif's reading of the file.
/// </summary>
public sealed class HeifBoxScanner
{
    private enum State { Header, LargeSize, Skip, Done }

    private const uint Meta = 0x6D657461;

    private readonly FieldCollector _field = new(8);
    private State _state = State.Header;
    private long _position;
    private long _boxStart;
    private ulong _skip;

    public int MetaBoxes { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (at < data.Length && _state != State.Done)
        {
            switch (_state)
            {
                case State.Header:
                    if (_field.IsEmpty) _boxStart = _position + at;
                    if (!_field.Fill(data, ref at, 8)) break;
                    _field.Reset();
                    var size = BinaryPrimitives.ReadUInt32BigEndian(_field.Bytes);
                    if (BinaryPrimitives.ReadUInt32BigEndian(_field.Bytes.AsSpan(4)) == Meta && ++MetaBoxes > 1)
                        throw new HeifStructureException(
                            $"the HEIF file has more than one top-level meta box (a second at byte {_boxStart}): which one a decoder reads is ambiguous");
                    (_state, _skip) = size switch
                    {
                        0 => (State.Done, 0ul), // runs to the end of the file
                        1 => (State.LargeSize, 0ul),
                        < 8 => (State.Done, 0ul), // malformed: libheif stops here too
                        _ => (State.Skip, size - 8ul),
                    };
                    break;
                case State.LargeSize:
                    if (!_field.Fill(data, ref at, 8)) break;
                    _field.Reset();
                    var large = BinaryPrimitives.ReadUInt64BigEndian(_field.Bytes);
                    (_state, _skip) = large < 16 ? (State.Done, 0ul) : (State.Skip, large - 16);
                    break;
                case State.Skip:
                    var step = (int)Math.Min(_skip, (ulong)(data.Length - at));
                    at += step;
                    _skip -= (ulong)step;
                    break;
            }

            if (_state == State.Skip && _skip == 0) _state = State.Header;
        }

        _position += data.Length;
    }
}
