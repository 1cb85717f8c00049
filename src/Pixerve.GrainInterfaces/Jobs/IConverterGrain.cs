namespace Pixerve;

/// <summary>Decodes a staged source once and produces and stores every output of its job.</summary>
[Alias("pixerve.IConverterGrain")]
public interface IConverterGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Cancelled by the caller when the conversion outlasts <c>Pixerve:Jobs:MaxConversionTime</c> or its silo stops
    /// past its grace; the response timeout only backs that up (<see cref="ConversionLimits"/>).
    /// </summary>
    [Alias("Convert"), ResponseTimeout(ConversionLimits.ConvertResponseTimeout)]
    Task<ConversionResult> Convert(ConversionRequest request, CancellationToken cancellationToken);
}
