using System.Net;

namespace Pixerve.Client;

/// <summary>The server refused a request; <see cref="Problem"/> holds its RFC 7807 answer.</summary>
public sealed class PixerveException(PixerveProblem problem)
    : Exception($"Pixerve answered {problem.Status}: {problem.Detail ?? problem.Title ?? "no detail"}" + (problem.Field is { } f ? $" (field {f})" : ""))
{
    public PixerveProblem Problem { get; } = problem;

    public HttpStatusCode StatusCode => (HttpStatusCode)Problem.Status;

    public string? Detail => Problem.Detail;

    /// <summary>The job spec field a 400 blames, e.g. <c>subDir</c> or <c>storageKeys.s3</c>.</summary>
    public string? Field => Problem.Field;
}
