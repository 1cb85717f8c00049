using System.Globalization;

namespace Pixerve.Testing.Fixtures;

/// <summary>Reads samples out of a Prometheus text exposition, whatever order the exporter writes labels in.</summary>
public static class PrometheusText
{
    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Sum(string exposition, string metric, params string[] labels) => exposition.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Select(line => (Labels: line.Contains('{') ? line[(line.IndexOf('{') + 1)..line.LastIndexOf('}')] : "", Line: line))
        .Where(sample => labels.All(label => sample.Labels.Split(',').Contains(label)))
        .Sum(sample => double.Parse(sample.Line[(sample.Line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    public static async Task<string> ScrapeAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
