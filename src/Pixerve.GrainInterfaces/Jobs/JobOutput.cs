namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>One output and every place it was stored: what the job's answers and its webhook list under <c>outputs</c>.</summary>
public sealed record JobOutput(string Name, string Format, int Width, int Height, long Bytes, IReadOnlyList<OutputLocation> Locations)
{
    /// <summary>The outputs in plan order with their locations from <paramref name="files"/>.</summary>
    public static IReadOnlyList<JobOutput> Of(IReadOnlyList<OutputInfo> outputs, IReadOnlyList<StoredFile> files)
    {
        var locations = files.ToLookup(f => f.Name, f => new OutputLocation(f.Backend, f.Location));
        return outputs.Select(o => new JobOutput(o.Name, o.Format, o.Width, o.Height, o.Bytes, locations[o.Name].ToList())).ToList();
    }
}

/// <summary>Where one backend stored an output: see <c>StoredFile.Location</c>.</summary>
public sealed record OutputLocation(string Backend, string Location);
