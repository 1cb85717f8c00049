namespace Pixerve.Imaging;

/// <summary>One conversion's result: the outputs in plan order and the source they were made from.</summary>
public sealed record ConvertedImage(SourceDescription Source, IReadOnlyList<EncodedOutput> Outputs);
