using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Jobs;

/// <summary><c>event: source</c> of <c>/events</c>: the source as the converter described it, before any output is made.</summary>
public sealed record SourceEvent(string Hash, string JobId, SourceInfo Source);

/// <summary>
/// <c>event: output_done</c> of <c>/events</c>: one output made, in plan order; <see cref="Done"/> is its place (1..n)
/// and <see cref="Total"/> the job's outputs. Its size and length are those the final record describes.
/// </summary>
public sealed record OutputDoneEvent(string Hash, string JobId, string Name, string Format, int Width, int Height, long Bytes, int Done, int Total);
