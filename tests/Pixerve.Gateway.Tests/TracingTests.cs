using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>One upload is one trace: the HTTP request, the JobGrain call and the conversion share a trace id.</summary>
[Collection(PixerveCollection.Name)]
public sealed class TracingTests(PixerveFixture fixture) : IDisposable
{
    private readonly ConcurrentBag<Activity> _stopped = [];
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is PixerveTracing.SourceName or "Microsoft.AspNetCore" ||
                                   source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    [Fact]
    public async Task An_upload_is_one_trace_from_the_request_through_the_grain_call_to_the_conversion_and_its_store()
    {
        _listener.ActivityStopped = _stopped.Add;
        ActivitySource.AddActivityListener(_listener);
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
            directHost = true,
            subDir = $"tracing/{Guid.NewGuid():N}",
        });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        await HttpAssert.AssertOk(upload);
        var answer = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = answer.GetProperty("job_id").GetString()!;
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(answer.GetProperty("hash").GetString()!, token)).GetProperty("status").GetString());

        Activity? convert = null;
        await Poll.UntilAsync(() => (convert = _stopped.FirstOrDefault(a => a.OperationName == "convert" && Tag(a, "pixerve.job_id") == jobId)) is not null,
            TimeSpan.FromSeconds(30), "the conversion's span");
        var trace = convert!.TraceId;
        var spans = _stopped.Where(a => a.TraceId == trace).ToList();
        string Describe() => string.Join(", ", spans.Select(a => $"{a.Source.Name}:{a.DisplayName}"));

        Assert.Contains(spans, a => a.Source.Name == "Microsoft.AspNetCore");
        Assert.Contains(spans, a => a.OperationName == "stage upload");
        Assert.True(spans.Any(a => a.OperationName == "submit" && Tag(a, "pixerve.job_id") == jobId), Describe());
        Assert.True(spans.Any(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && a.DisplayName.Contains("Submit")), Describe());
        Assert.True(spans.Any(a => a.OperationName == "encode jpg"), Describe());
        Assert.True(spans.Any(a => a.OperationName == "store direct"), Describe());
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    public void Dispose() => _listener.Dispose();
}
