using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Counts every request a storage client sends to the Azure Storage account (each try of a retried request on its
/// own), in <c>pixerve.storage.requests</c>, tagged <c>service</c> (blob | table), <c>method</c> and <c>resource</c>
/// (the container or table). A billed transaction is a request on the wire, so this is what a job costs in storage:
/// the bench prints it per job, and a test holds the happy path to its budget.
/// </summary>
public static class StorageRequestCounting
{
    /// <summary>Adds the counting policy to a storage client's options; the service names the client kind.</summary>
    public static T CountRequests<T>(this T options, string service) where T : ClientOptions
    {
        options.AddPolicy(new CountingPolicy(service), HttpPipelinePosition.PerRetry);
        return options;
    }

    /// <summary>
    /// The container or table a request is for: the first path segment, after the account name when the account is in
    /// the path (an emulator on a loopback address or an IP), without a table's row key.
    /// </summary>
    public static string ResourceOf(Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var accountInPath = uri.IsLoopback || IPAddress.TryParse(uri.Host, out _);
        var index = accountInPath ? 1 : 0;
        if (segments.Length <= index) return "";
        var resource = segments[index];
        var parenthesis = resource.IndexOf('(');
        return parenthesis < 0 ? resource : resource[..parenthesis];
    }

    private sealed class CountingPolicy(string service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            PixerveMetrics.StorageRequests.Add(1,
                new KeyValuePair<string, object?>("service", service),
                new KeyValuePair<string, object?>("method", message.Request.Method.Method),
                new KeyValuePair<string, object?>("resource", ResourceOf(message.Request.Uri.ToUri())),
                new KeyValuePair<string, object?>("operation", OperationOf(message.Request.Uri.Query)));
    }

    /// <summary>The value of the query's <c>comp</c> parameter; <c>query</c> for a table query (<c>$filter</c>); or empty.</summary>
    public static string OperationOf(string query)
    {
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            if (part.StartsWith("comp=", StringComparison.OrdinalIgnoreCase)) return part[5..];
            if (part.StartsWith("$filter=", StringComparison.OrdinalIgnoreCase) || part.StartsWith("%24filter=", StringComparison.OrdinalIgnoreCase)) return "query";
        }

        return "";
    }
}
