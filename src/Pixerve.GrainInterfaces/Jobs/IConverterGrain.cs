namespace Pixerve;

/// <summary>Decodes a staged source once and produces and stores every output of its job.</summary>
[Alias("pixerve.IConverterGrain")]
public interface IConverterGrain : IGrainWithIntegerKey
{
    [Alias("Convert")]
    Task<ConversionResult> Convert(ConversionRequest request);
}
