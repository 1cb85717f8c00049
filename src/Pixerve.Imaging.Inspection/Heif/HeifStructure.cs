using System.Buffers.Binary;

namespace Pixerve.Imaging.Inspection.Heif;

/// <summary>An image size a HEIF file declares, and what declares it (for the refusal's words).</summary>
public readonly record struct HeifExtent(int Width, int Height, string Of)
{
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// What <see cref="HeifStructure.Read"/> made of a HEIF file (AVIF or HEIC): the largest size it declares, or why
/// it is refused (<see cref="HeaderRead.Invalid"/> with the <see cref="Problem"/>), or that more bytes are needed.
/// </summary>
public sealed record HeifReading(HeaderRead Read, HeifExtent Largest = default, string? Problem = null)
{
    public static readonly HeifReading NeedMore = new(HeaderRead.NeedMore);

    public static HeifReading Invalid(string problem) => new(HeaderRead.Invalid, Problem: problem);
}

/// <summary>
/// Reads a HEIF file's structure (ISO/IEC 23008-12 on ISO BMFF) far enough to know every size a decoder may
/// allocate, so the pixel limit is checked against all of them before libheif sees the file: the <c>ispe</c> of every
/// item (thumbnails, alpha planes and grid tiles too, not only the primary's), and the output size of every derived
/// image, which is in the item's data rather than a property (<c>grid</c>: rows, columns, then a 16- or 32-bit output
/// width and height; <c>iovl</c>: a canvas of the same widths). A grid of 64×64 tiles may declare a 30000×30000 output,
/// which the decoder allocates before it reads a tile.
/// <para>
/// A file whose structure two readers could read differently is refused rather than guessed at: libheif reads the
/// last top-level <c>meta</c> box, this reader would read the first, so two are refused; likewise two of a box libheif
/// takes the first of (<c>pitm</c>, <c>iinf</c>, <c>iloc</c>, <c>iprp</c>, <c>ipco</c>, <c>idat</c>, <c>iref</c>), an item
/// described or located twice, and a primary item without an <c>ispe</c> (its size unknown until decoded).
/// </para>
/// </summary>
public static class HeifStructure
{
    private const uint Meta = 0x6D657461, Pitm = 0x7069746D, Iinf = 0x69696E66, Infe = 0x696E6665, Iloc = 0x696C6F63,
        Iprp = 0x69707270, Ipco = 0x6970636F, Ipma = 0x69706D61, Ispe = 0x69737065, Idat = 0x69646174, Iref = 0x69726566,
        Grid = 0x67726964, Iovl = 0x696F766C;

    /// <summary>The boxes libheif takes the first of: a second one would be read by it and not by this reader, or the reverse.</summary>
    private static readonly uint[] Singletons = [Pitm, Iinf, Iloc, Iprp, Idat, Iref];

    /// <summary>
    /// Reads <paramref name="file"/>: the whole file (<paramref name="whole"/>; the converter) or the start of an upload,
    /// which reads as <see cref="HeaderRead.NeedMore"/> until the <c>meta</c> box and any derived image's data
    /// stored outside it are in. Past the <c>meta</c> box, a prefix is read only as far as it goes: a later top-level
    /// box is the concern of <see cref="HeifBoxScanner"/>, which sees the whole upload as it streams by.
    /// </summary>
    public static HeifReading Read(ReadOnlySpan<byte> file, bool whole)
    {
        try
        {
            return Walk(file, whole);
        }
        catch (MalformedException e)
        {
            return HeifReading.Invalid(e.Message);
        }
    }

    private static HeifReading Walk(ReadOnlySpan<byte> file, bool whole)
    {
        MetaContents? meta = null;
        for (long at = 0; at < file.Length;)
        {
            var (read, type, content, end) = TopLevelBox(file, at);
            // A top-level box header that does not parse ends libheif's reading of the file too.
            if (read == HeaderRead.Invalid)
            {
                if (meta is null) return HeifReading.Invalid($"the top-level box at byte {at} is malformed, before any meta box");
                break;
            }
            if (read == HeaderRead.NeedMore)
            {
                if (whole || meta is not null) break;
                return HeifReading.NeedMore;
            }

            if (type == Meta)
            {
                if (end == long.MaxValue && whole) end = file.Length;
                if (meta is not null)
                    return HeifReading.Invalid($"the file has more than one top-level meta box (a second at byte {at}): which one a decoder reads is ambiguous");
                if (end > file.Length)
                {
                    if (!whole) return HeifReading.NeedMore;
                    return HeifReading.Invalid("the meta box is cut short");
                }

                meta = MetaContents.Parse(file[(int)content..(int)end], (int)content);
            }
            else if (meta is null && end == long.MaxValue)
            {
                return HeifReading.Invalid("no meta box comes before a box that runs to the end of the file");
            }

            if (end == long.MaxValue) break;
            at = end;
        }

        if (meta is null)
            return whole ? HeifReading.Invalid("the file has no meta box") : HeifReading.NeedMore;
        return meta.Measure(file, whole);
    }

    /// <summary>The top-level box at <paramref name="at"/>: its type, where its content starts and where it ends (long.MaxValue: at the end of the file).</summary>
    private static (HeaderRead Read, uint Type, long Content, long End) TopLevelBox(ReadOnlySpan<byte> file, long at)
    {
        if (at + 8 > file.Length) return (HeaderRead.NeedMore, 0, 0, 0);
        var i = (int)at;
        ulong size = BinaryPrimitives.ReadUInt32BigEndian(file[i..]);
        var type = BinaryPrimitives.ReadUInt32BigEndian(file[(i + 4)..]);
        var header = 8;
        if (size == 1)
        {
            if (at + 16 > file.Length) return (HeaderRead.NeedMore, 0, 0, 0);
            size = BinaryPrimitives.ReadUInt64BigEndian(file[(i + 8)..]);
            header = 16;
        }

        if (size == 0) return (HeaderRead.Found, type, at + header, long.MaxValue);
        if (size < (ulong)header) return (HeaderRead.Invalid, 0, 0, 0);
        // Past any file this server accepts, and past long: the box runs beyond the end either way.
        var end = size > long.MaxValue / 2 ? long.MaxValue - 1 : at + (long)size;
        return (HeaderRead.Found, type, at + header, end);
    }

    /// <summary>The child boxes in <paramref name="content"/>, each as (type, content range); a child that overruns its parent is malformed.</summary>
    private static List<(uint Type, int Content, int End)> Children(ReadOnlySpan<byte> content, string parent)
    {
        var children = new List<(uint, int, int)>();
        for (var at = 0; at < content.Length;)
        {
            if (at + 8 > content.Length) throw new MalformedException($"the {parent} box ends inside a child box's header");
            ulong size = BinaryPrimitives.ReadUInt32BigEndian(content[at..]);
            var type = BinaryPrimitives.ReadUInt32BigEndian(content[(at + 4)..]);
            var header = 8;
            if (size == 1)
            {
                if (at + 16 > content.Length) throw new MalformedException($"the {parent} box ends inside a child box's header");
                size = BinaryPrimitives.ReadUInt64BigEndian(content[(at + 8)..]);
                header = 16;
            }

            if (size < (ulong)header || size > (ulong)(content.Length - at))
                throw new MalformedException($"a {FourCc(type)} box inside {parent} has a size that does not fit it");
            children.Add((type, at + header, at + (int)size));
            at += (int)size;
        }

        return children;
    }

    private static string FourCc(uint type) =>
        string.Create(4, type, (chars, t) =>
        {
            for (var i = 0; i < 4; i++)
            {
                var c = (char)((t >> (24 - 8 * i)) & 0xFF);
                chars[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        });

    /// <summary>One item's location (<c>iloc</c>): how its data is constructed and the extents that make it up.</summary>
    private sealed record Location(int ConstructionMethod, ulong BaseOffset, List<(ulong Offset, ulong Length)> Extents);

    /// <summary>What the single <c>meta</c> box says: the primary item, every item's type, properties and location.</summary>
    private sealed class MetaContents
    {
        private uint _primary;
        private readonly Dictionary<uint, uint> _itemTypes = [];
        private readonly Dictionary<uint, Location> _locations = [];
        private readonly Dictionary<uint, List<int>> _associations = [];
        private readonly List<(uint Type, int Content, int End)> _properties = [];
        private readonly List<HeifExtent> _extents = [];
        /// <summary>The <c>idat</c> box's content, as offsets into the file.</summary>
        private (int Start, int End)? _idat;

        /// <param name="meta">The meta box's content.</param>
        /// <param name="offset">Where that content starts in the file.</param>
        public static MetaContents Parse(ReadOnlySpan<byte> meta, int offset)
        {
            var contents = new MetaContents();
            // meta is a full box: version and flags come before its children.
            if (meta.Length < 4) throw new MalformedException("the meta box is too short");
            var children = Children(meta[4..], "meta");
            foreach (var type in Singletons)
                if (children.Count(c => c.Type == type) > 1)
                    throw new MalformedException($"the meta box holds more than one {FourCc(type)} box: which one a decoder reads is ambiguous");

            Range Box(uint type, string missing)
            {
                foreach (var (t, content, end) in children)
                    if (t == type) return (4 + content)..(4 + end);
                throw new MalformedException(missing);
            }

            contents.ReadPrimary(meta[Box(Pitm, "the file names no primary item (no pitm box)")]);
            contents.ReadItems(meta[Box(Iinf, "the file describes no items (no iinf box)")]);
            contents.ReadLocations(meta[Box(Iloc, "the file locates no items (no iloc box)")]);
            contents.ReadProperties(meta[Box(Iprp, "the file has no item properties (no iprp box)")]);
            foreach (var (t, content, end) in children)
                if (t == Idat) contents._idat = (offset + 4 + content, offset + 4 + end);
            return contents;
        }

        private void ReadPrimary(ReadOnlySpan<byte> pitm)
        {
            var r = new Reader(pitm, "pitm");
            var version = r.FullBox();
            _primary = version == 0 ? r.U16() : r.U32();
        }

        private void ReadItems(ReadOnlySpan<byte> iinf)
        {
            var r = new Reader(iinf, "iinf");
            var version = r.FullBox();
            _ = version == 0 ? r.U16() : r.U32(); // entry count: the infe boxes that follow are counted instead
            foreach (var (type, content, end) in Children(iinf[r.At..], "iinf"))
            {
                if (type != Infe) continue;
                var e = new Reader(iinf[(r.At + content)..(r.At + end)], "infe");
                var infeVersion = e.FullBox();
                // Versions 0 and 1 carry no item type: such an item is no image to a HEIF reader.
                uint id, itemType = 0;
                if (infeVersion >= 2)
                {
                    id = infeVersion == 2 ? e.U16() : e.U32();
                    e.U16(); // protection index
                    itemType = e.U32();
                }
                else
                {
                    id = e.U16();
                }

                if (!_itemTypes.TryAdd(id, itemType))
                    throw new MalformedException($"item {id} is described twice: which description a decoder reads is ambiguous");
            }
        }

        private void ReadLocations(ReadOnlySpan<byte> iloc)
        {
            var r = new Reader(iloc, "iloc");
            var version = r.FullBox();
            if (version > 2) throw new MalformedException($"iloc version {version} is not one this server reads");
            var sizes = r.U16();
            var (offsetSize, lengthSize, baseOffsetSize, indexSize) = ((int)(sizes >> 12) & 0xF, (int)(sizes >> 8) & 0xF, (int)(sizes >> 4) & 0xF, (int)sizes & 0xF);
            // ISO BMFF has an extent index in versions 1 and 2; libheif 1.15 reads one only in version 2: the same bytes
            // would mean different extents to the two.
            if (version == 1 && indexSize != 0)
                throw new MalformedException("iloc version 1 with extent indexes is read differently by different decoders");
            if (version < 1) indexSize = 0;
            var count = version < 2 ? r.U16() : r.U32();
            for (var i = 0u; i < count; i++)
            {
                var id = version < 2 ? r.U16() : r.U32();
                var method = version >= 1 ? (int)(r.U16() & 0xF) : 0;
                r.U16(); // data reference index
                var baseOffset = r.Sized(baseOffsetSize);
                var extentCount = r.U16();
                var extents = new List<(ulong, ulong)>();
                for (var e = 0; e < extentCount; e++)
                {
                    r.Sized(indexSize);
                    extents.Add((r.Sized(offsetSize), r.Sized(lengthSize)));
                }

                if (!_locations.TryAdd(id, new Location(method, baseOffset, extents)))
                    throw new MalformedException($"item {id} is located twice: which data a decoder reads is ambiguous");
            }
        }

        private void ReadProperties(ReadOnlySpan<byte> iprp)
        {
            var children = Children(iprp, "iprp");
            var ipcos = children.Where(c => c.Type == Ipco).ToList();
            if (ipcos.Count != 1)
                throw new MalformedException(ipcos.Count == 0
                    ? "the file has no item properties (no ipco box)"
                    : "the iprp box holds more than one ipco box: which one a decoder reads is ambiguous");
            var ipco = iprp[ipcos[0].Content..ipcos[0].End];
            _properties.AddRange(Children(ipco, "ipco").Select(p => (p.Type, ipcos[0].Content + p.Content, ipcos[0].Content + p.End)));

            // Every ispe, associated with an item or not: a decoder may take any of them as some image's size.
            foreach (var (type, content, end) in _properties.Where(p => p.Type == Ispe))
            {
                var r = new Reader(iprp[content..end], "ispe");
                r.FullBox();
                var (width, height) = (r.U32(), r.U32());
                _extents.Add(Extent(width, height, "an ispe property"));
            }

            var seen = new HashSet<uint>();
            foreach (var (type, content, end) in children)
            {
                if (type != Ipma) continue;
                var r = new Reader(iprp[content..end], "ipma");
                var version = r.FullBox();
                var wide = (r.Flags & 1) != 0;
                var count = r.U32();
                for (var i = 0u; i < count; i++)
                {
                    var id = version < 1 ? r.U16() : r.U32();
                    if (!seen.Add(id))
                        throw new MalformedException($"item {id}'s properties are listed twice: which list a decoder reads is ambiguous");
                    var associations = new List<int>();
                    for (var n = r.U8(); n > 0; n--)
                        associations.Add(wide ? (int)(r.U16() & 0x7FFF) : r.U8() & 0x7F);
                    _associations[id] = associations;
                }
            }
        }

        /// <summary>Every declared size, the derived images' included, and the largest of them; or why the file is refused.</summary>
        public HeifReading Measure(ReadOnlySpan<byte> file, bool whole)
        {
            var primaryProperties = _associations.GetValueOrDefault(_primary) ?? [];
            if (!primaryProperties.Any(i => i >= 1 && i <= _properties.Count && _properties[i - 1].Type == Ispe))
                return HeifReading.Invalid($"the primary item ({_primary}) has no ispe property: its size is unknown until it is decoded");

            // Derived images first: where a grid's ispe matches its output, the refusal names the grid.
            var extents = new List<HeifExtent>();
            foreach (var (id, type) in _itemTypes.Where(i => i.Value is Grid or Iovl).OrderBy(i => i.Key))
            {
                var kind = type == Grid ? "grid" : "iovl";
                // A grid: version, flags, rows - 1, columns - 1, output width and height. An overlay: version,
                // flags, four 16-bit fill values, canvas width and height. Flag bit 0: 32-bit sizes, else 16-bit.
                var at = type == Grid ? 4 : 10;
                var flags = ItemData(id, kind, file, whole, 2);
                if (flags is null) return HeifReading.NeedMore;
                if (flags.Length < 2) throw new MalformedException($"{kind} item {id}'s description is cut short");
                var wide = (flags[1] & 1) != 0;
                var data = ItemData(id, kind, file, whole, at + (wide ? 8 : 4));
                if (data is null) return HeifReading.NeedMore;
                if (data.Length < at + (wide ? 8 : 4)) throw new MalformedException($"{kind} item {id}'s description is cut short");
                if (type == Iovl && data[0] != 0) throw new MalformedException($"iovl item {id} has a version this server does not read");
                var (width, height) = wide
                    ? (BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at)), BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at + 4)))
                    : (BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at)), (uint)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at + 2)));
                extents.Add(Extent(width, height, type == Grid
                    ? $"grid item {id}'s output of {data[2] + 1}×{data[3] + 1} tiles"
                    : $"iovl item {id}'s canvas"));
            }

            extents.AddRange(_extents);
            return new HeifReading(HeaderRead.Found, extents.MaxBy(e => e.Pixels));
        }

        /// <summary>
        /// The first <paramref name="want"/> bytes of item <paramref name="id"/>'s data (fewer when it is shorter),
        /// or null when they lie past the end of a prefix (more must be read).
        /// </summary>
        private byte[]? ItemData(uint id, string kind, ReadOnlySpan<byte> file, bool whole, int want)
        {
            if (!_locations.TryGetValue(id, out var location)) throw new MalformedException($"{kind} item {id} has no location (iloc)");
            var (start, end) = location.ConstructionMethod switch
            {
                0 => (0L, (long)file.Length),
                1 => _idat is { } idat ? (idat.Start, idat.End) : throw new MalformedException($"{kind} item {id} lies in an idat box the file lacks"),
                _ => throw new MalformedException($"{kind} item {id} is constructed in a way (iloc method {location.ConstructionMethod}) this server does not read"),
            };
            // In a prefix the file's end is not known: data running past it needs more bytes. idat is inside meta, whole.
            var open = location.ConstructionMethod == 0 && !whole;
            var data = new List<byte>(want);
            foreach (var (offset, length) in location.Extents)
            {
                if (data.Count == want) break;
                var from = (UInt128)(ulong)start + location.BaseOffset + offset;
                // Length 0: the rest of the file (or of idat).
                var take = Math.Min((ulong)(want - data.Count), length == 0 ? ulong.MaxValue : length);
                var available = from >= (ulong)end ? 0 : (ulong)((ulong)end - from);
                if (available < take)
                {
                    if (open) return null;
                    if (length != 0) throw new MalformedException($"{kind} item {id}'s data lies past the end of the {(location.ConstructionMethod == 0 ? "file" : "idat box")}");
                    take = available;
                }

                data.AddRange(file.Slice((int)from, (int)take));
            }

            return data.ToArray();
        }

        private static HeifExtent Extent(uint width, uint height, string of)
        {
            // libheif keeps sizes in ints (and refuses far smaller ones): a side past that is no image to decode.
            if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                throw new MalformedException($"{of} declares a size of {width}×{height}, which no image can have");
            return new HeifExtent((int)width, (int)height, of);
        }
    }

    /// <summary>A big-endian reader over one box's content that calls running out malformed.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data, string box)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        public int At { get; private set; }
        public uint Flags { get; private set; }

        /// <summary>A full box's version (returned) and flags.</summary>
        public byte FullBox()
        {
            var version = U8();
            Flags = (uint)U16() << 8 | U8();
            return version;
        }

        public byte U8() => Take(1)[0];
        public uint U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        /// <summary>An iloc field of 0, 4 or 8 bytes.</summary>
        public ulong Sized(int bytes) => bytes switch
        {
            0 => 0,
            4 => U32(),
            8 => BinaryPrimitives.ReadUInt64BigEndian(Take(8)),
            _ => throw new MalformedException($"the {box} box has a field of {bytes} bytes (0, 4 or 8 only)"),
        };

        private ReadOnlySpan<byte> Take(int count)
        {
            if (At + count > _data.Length) throw new MalformedException($"the {box} box is cut short");
            var taken = _data.Slice(At, count);
            At += count;
            return taken;
        }
    }

    private sealed class MalformedException(string message) : Exception(message);
}
