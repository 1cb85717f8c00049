namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// How long a conversion may run is Pixerve's setting (<c>Pixerve:Jobs:MaxConversionTime</c>), not the messaging
/// layer's 30 s default: the converter's grain call is allowed the setting's ceiling plus a margin, and the worker
/// cancels the conversion at the setting itself, so the call never times out before Pixerve decides it ran too long.
/// </summary>
public static class ConversionLimits
{
    /// <summary>The most <c>Pixerve:Jobs:MaxConversionTime</c> may be.</summary>
    public const string MaxConversionTimeCeiling = "01:00:00";

    /// <summary>The converter call's response timeout: the ceiling and a minute to report a cancellation.</summary>
    public const string ConvertResponseTimeout = "01:01:00";
}
