using System.Buffers.Binary;
using System.Text;

namespace Pixerve.Testing;

/// <summary>
/// Writes HEIF files (AVIF or HEIC) box by box, so a test can state exactly the structure it means: items with
/// their types, properties (<c>ispe</c>, codec configuration) and data (in <c>idat</c> or in <c>mdat</c>), references,
/// the primary item. Only the structure is real unless the test supplies real coded data.
/// </summary>
public sealed class HeifBuilder(string brand = "heic")
{
    /// <summary>One item: its data is stored in <c>idat</c> inside meta, or in <c>mdat</c> after it (a file offset).</summary>
    public sealed record Item(uint Id, string Type, byte[] Data, bool InIdat, byte[][] Properties);

    private readonly List<Item> _items = [];
    private readonly List<(string Type, uint From, uint[] To)> _references = [];

    public uint Primary { get; set; } = 1;

    /// <summary>Bytes written into mdat before any item's data (a large media box, say).</summary>
    public int MdatPadding { get; set; }

    public HeifBuilder Add(uint id, string type, byte[] data, bool inIdat = false, params byte[][] properties)
    {
        _items.Add(new Item(id, type, data, inIdat, properties));
        return this;
    }

    public HeifBuilder Reference(string type, uint from, params uint[] to)
    {
        _references.Add((type, from, to));
        return this;
    }

    /// <summary>ftyp, meta, mdat.</summary>
    public byte[] Build() => Concat(Ftyp(brand), Meta(FtypLength(brand)), Mdat());

    /// <summary>The file with a second meta box (<paramref name="second"/>'s) right after this one's, or after the mdat.</summary>
    public byte[] BuildWithSecondMeta(HeifBuilder second, bool afterMdat)
    {
        var ftyp = Ftyp(brand);
        var meta = Meta(ftyp.Length);
        var otherMeta = second.Meta(ftyp.Length + meta.Length); // its offsets are never read: the file is refused first
        return afterMdat ? Concat(ftyp, meta, Mdat(), otherMeta) : Concat(ftyp, meta, otherMeta, Mdat());
    }

    public static byte[] Ftyp(string brand) => Box("ftyp", Ascii(brand), U32(0), Ascii("mif1"), Ascii(brand), Ascii("miaf"));

    private static int FtypLength(string brand) => Ftyp(brand).Length;

    /// <summary>The meta box, its iloc pointing into an mdat that starts right after it (at <paramref name="at"/> + its length).</summary>
    public byte[] Meta(int at)
    {
        // The meta box's length does not depend on the offsets in it: built once to learn where mdat starts.
        var length = MetaBox(0).Length;
        return MetaBox(at + length + 8 + MdatPadding);
    }

    private byte[] MetaBox(int mdatData)
    {
        var properties = new List<byte[]>();
        var associations = new List<byte[]>();
        foreach (var item in _items)
        {
            var indexes = new List<byte>();
            foreach (var property in item.Properties)
            {
                properties.Add(property);
                indexes.Add((byte)(0x80 | properties.Count)); // essential, 7-bit index (ipma flags 0)
            }

            associations.Add(Concat(U16(item.Id), [(byte)indexes.Count], indexes.ToArray()));
        }

        var idat = new List<byte>();
        var mdat = 0;
        var locations = new List<byte[]>();
        foreach (var item in _items)
        {
            // iloc version 1: offset and length 4 bytes, no base offset, no index; construction method 1 = idat.
            var offset = item.InIdat ? idat.Count : mdatData + mdat;
            locations.Add(Concat(U16(item.Id), U16(item.InIdat ? 1u : 0u), U16(0), U16(1), U32((uint)offset), U32((uint)item.Data.Length)));
            if (item.InIdat) idat.AddRange(item.Data);
            else mdat += item.Data.Length;
        }

        var children = new List<byte[]>
        {
            FullBox("hdlr", 0, 0, U32(0), Ascii("pict"), U32(0), U32(0), U32(0), [0]),
            FullBox("pitm", 0, 0, U16(Primary)),
            FullBox("iinf", 0, 0, [U16((uint)_items.Count), .. _items.Select(i => FullBox("infe", 2, 0, U16(i.Id), U16(0), Ascii(i.Type), [0]))]),
        };
        if (_references.Count > 0)
            children.Add(FullBox("iref", 0, 0, [.. _references.Select(r => Box(r.Type, [U16(r.From), U16((uint)r.To.Length), .. r.To.Select(U16)]))]));
        children.Add(Box("iprp", Box("ipco", [.. properties]), FullBox("ipma", 0, 0, [U32((uint)_items.Count), .. associations])));
        children.Add(FullBox("iloc", 1, 0, [U16(0x4400), U16((uint)_items.Count), .. locations]));
        if (idat.Count > 0) children.Add(Box("idat", idat.ToArray()));
        return FullBox("meta", 0, 0, [.. children]);
    }

    private byte[] Mdat() => Box("mdat", [new byte[MdatPadding], .. _items.Where(i => !i.InIdat).Select(i => i.Data)]);

    // --- boxes and properties

    public static byte[] Ispe(uint width, uint height) => FullBox("ispe", 0, 0, U32(width), U32(height));

    /// <summary>A grid item's data: rows × columns tiles and the output size, in 16-bit fields or (flag 1) 32-bit.</summary>
    public static byte[] GridData(int rows, int columns, uint width, uint height, bool wide = false) =>
        wide
            ? Concat([0, 1, (byte)(rows - 1), (byte)(columns - 1)], U32(width), U32(height))
            : Concat([0, 0, (byte)(rows - 1), (byte)(columns - 1)], U16(width), U16(height));

    /// <summary>An overlay item's data: fill colour, the canvas size and one offset per input (16-bit fields).</summary>
    public static byte[] OverlayData(uint width, uint height, int inputs) =>
        Concat([0, 0], new byte[8], U16(width), U16(height), new byte[4 * inputs]);

    public static byte[] Box(string type, params byte[][] content)
    {
        var length = 8 + content.Sum(c => c.Length);
        return Concat([U32((uint)length), Ascii(type), .. content]);
    }

    public static byte[] FullBox(string type, byte version, uint flags, params byte[][] content) =>
        Box(type, [[version, (byte)(flags >> 16), (byte)(flags >> 8), (byte)flags], .. content]);

    public static byte[] U16(uint value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
