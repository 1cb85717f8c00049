using System.Globalization;
using System.Text.RegularExpressions;

namespace Pixerve.Bench;

/// <summary>
/// Requests sent to the storage account as the gateway and silos count them (<c>pixerve_storage_requests_total</c>,
/// tagged service, method and resource; <c>StorageRequestCounting</c> in ServiceDefaults), summed over the processes
/// scraped, by (service, method, resource). Counters only grow, so the difference of two readings is what happened
/// between them.
/// </summary>
internal sealed partial class StorageRequests
{
    public const string Metric = "pixerve_storage_requests_total";

    private readonly Dictionary<(string Service, string Method, string Resource), double> _counts;

    private StorageRequests(Dictionary<(string, string, string), double> counts) => _counts = counts;

    public static StorageRequests None { get; } = new([]);

    public IReadOnlyDictionary<(string Service, string Method, string Resource), double> Counts => _counts;

    public double Total => _counts.Values.Sum();

    /// <summary>The counter's samples in Prometheus expositions (one per process), added up.</summary>
    public static StorageRequests Read(IEnumerable<string> expositions)
    {
        var counts = new Dictionary<(string, string, string), double>();
        foreach (var line in expositions.SelectMany(e => e.Split('\n')).Where(l => l.StartsWith(Metric + "{", StringComparison.Ordinal)))
        {
            var labels = Label().Matches(line[..(line.LastIndexOf('}') + 1)]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var key = (labels.GetValueOrDefault("service", "?"), labels.GetValueOrDefault("method", "?"), labels.GetValueOrDefault("resource", "?"));
            counts[key] = counts.GetValueOrDefault(key) + value;
        }

        return new StorageRequests(counts);
    }

    public static StorageRequests operator -(StorageRequests after, StorageRequests before) =>
        new(after._counts.Keys.Union(before._counts.Keys)
            .Select(k => (Key: k, Value: after._counts.GetValueOrDefault(k) - before._counts.GetValueOrDefault(k)))
            .Where(p => p.Value != 0).ToDictionary(p => p.Key, p => p.Value));

    public static StorageRequests operator +(StorageRequests a, StorageRequests b) =>
        new(a._counts.Keys.Union(b._counts.Keys).ToDictionary(k => k, k => a._counts.GetValueOrDefault(k) + b._counts.GetValueOrDefault(k)));

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
