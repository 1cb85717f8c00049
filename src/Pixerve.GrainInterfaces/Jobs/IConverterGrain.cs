namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>Decodes a staged source once and produces and stores every output of its job.</summary>
[Alias("pixerve.IConverterGrain")]
public interface IConverterGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> when its worker cancels the run (past
    /// <c>Pixerve:Jobs:MaxConversionTime</c>, or its silo stopping past its grace); the response timeout only backs
    /// that up (<see cref="ConversionLimits"/>).
    /// </summary>
    [Alias("Convert"), ResponseTimeout(ConversionLimits.ConvertResponseTimeout)]
    Task<ConversionResult> Convert(ConversionRequest request);
}
