namespace Pixerve.Gateway.Endpoints;

public sealed record StatusResponse(
    string Hash,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> ExpectedFiles,
    IReadOnlyList<StoredFileResponse> Files,
    string? Error);

public sealed record StoredFileResponse(string Name, string Backend, string Location, long Bytes, int Width, int Height);

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", async (string? hash, IGrainFactory grains) =>
        {
            if (!IsHash(hash))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "hash must be 64 lowercase hex characters (SHA-256)");
            var job = await grains.GetGrain<IJobGrain>(hash!).GetSnapshot();
            if (job is null)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no job has hash {hash}");
            return Results.Ok(new StatusResponse(job.Hash, job.Status.ToWire(), job.CreatedAt, job.UpdatedAt, job.ExpectedFiles,
                job.Files.Select(f => new StoredFileResponse(f.Name, f.Backend, f.Location, f.Bytes, f.Width, f.Height)).ToList(),
                job.Error));
        }).RequireAuthorization();
        return app;
    }

    public static bool IsHash(string? value) =>
        value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
