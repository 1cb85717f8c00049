using System.Buffers;
using System.Runtime.CompilerServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;
using Pixerve.Imaging.Inspection.Formats;

[assembly: Orleans.Serialization.Configuration.TypeManifestProvider(typeof(Pixerve.GrainInterfaces.Formats.FormatTypeAliases))]

namespace Pixerve.GrainInterfaces.Formats;

/// <summary>
/// An Int32-backed enum as Orleans' generated codec for an enum writes it (<c>Int32Codec</c>, the enum type as the
/// field's type). The format enums live in Pixerve.Imaging.Inspection, which is BCL only and cannot carry
/// [GenerateSerializer]; without these codecs Orleans falls back to another encoding of the same fields, which silos
/// and grain state written before the move would have to read. FormatWireTests pins the bytes.
/// </summary>
public abstract class Int32EnumCodec<T> : IFieldCodec<T> where T : struct, Enum
{
    private static readonly Type CodecFieldType = typeof(T);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, T value)
        where TBufferWriter : IBufferWriter<byte> =>
        Int32Codec.WriteField(ref writer, fieldIdDelta, expectedType, Unsafe.As<T, int>(ref value), CodecFieldType);

    public T ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        var value = Int32Codec.ReadValue(ref reader, field);
        return Unsafe.As<int, T>(ref value);
    }
}

[RegisterSerializer]
public sealed class OutputFormatCodec : Int32EnumCodec<OutputFormat>;

[RegisterSerializer]
public sealed class SourceFormatCodec : Int32EnumCodec<SourceFormat>;

[RegisterSerializer]
public sealed class FitModeCodec : Int32EnumCodec<FitMode>;

[RegisterSerializer]
public sealed class CropGravityCodec : Int32EnumCodec<CropGravity>;

/// <summary>The aliases the enums had with [Alias], for a value written where its type is not known in advance.</summary>
public sealed class FormatTypeAliases : Orleans.Serialization.Configuration.TypeManifestProviderBase
{
    protected override void ConfigureInner(Orleans.Serialization.Configuration.TypeManifestOptions config)
    {
        config.WellKnownTypeAliases["pixerve.OutputFormat"] = typeof(OutputFormat);
        config.WellKnownTypeAliases["pixerve.SourceFormat"] = typeof(SourceFormat);
        config.WellKnownTypeAliases["pixerve.FitMode"] = typeof(FitMode);
        config.WellKnownTypeAliases["pixerve.CropGravity"] = typeof(CropGravity);
    }
}
