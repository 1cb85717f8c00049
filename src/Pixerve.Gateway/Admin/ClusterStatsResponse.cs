namespace Pixerve.Gateway.Admin;

public sealed record SiloStatsItem(string Silo, int Queued, int Running, DateTimeOffset UpdatedAt);

/// <summary>The body of <c>GET /admin/stats</c>: each live silo's queue, and the cluster's totals.</summary>
public sealed record ClusterStatsResponse(IReadOnlyList<SiloStatsItem> Silos, int Queued, int Running);
