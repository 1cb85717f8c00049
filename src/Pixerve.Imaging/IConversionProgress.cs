namespace Pixerve.Imaging;

/// <summary>
/// Told what a conversion has made as soon as it has made it (the job's progress). Called on the conversion threads,
/// from several at once and in no set order: an implementation is thread-safe, quick (it holds up a conversion step)
/// and does not throw.
/// </summary>
public interface IConversionProgress
{
    /// <summary>The source is described: called once, unless the conversion fails first.</summary>
    void Described(SourceDescription source);

    /// <summary>The output at <paramref name="index"/> of the plan is made: called once per output.</summary>
    void Encoded(int index, EncodedOutput output);
}
