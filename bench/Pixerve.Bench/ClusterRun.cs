namespace Pixerve.Bench;

/// <summary>What one <c>--e2e</c> cluster size measured; <see cref="EndToEndReport"/> prints it.</summary>
internal sealed record ClusterRun
{
    public required int Silos { get; init; }

    /// <summary><c>Pixerve:Cluster:Provider</c> and the stores it ran on.</summary>
    public required string Provider { get; init; }
    public required string Stores { get; init; }
    public required double? CpuPerSilo { get; init; }
    public required int Uploads { get; init; }
    public required int Clients { get; init; }
    public required TimeSpan Wall { get; init; }

    /// <summary>Upload sent → the job's <c>finished_at</c>, seconds, of the completed jobs of the timed run.</summary>
    public required List<double> Latencies { get; init; }
    public required int NotCompleted { get; init; }
    public required List<double> IdleAcks { get; init; }
    public required List<double> LoadAcks { get; init; }

    /// <summary>Storage requests of the timed run: from just before the first upload to just after the last job was final.</summary>
    public required StorageRequests TimedRequests { get; init; }

    /// <summary>As <see cref="TimedRequests"/>, to when the counters stopped moving after the run (<see cref="SettleSeconds"/> later).</summary>
    public required StorageRequests SettledRequests { get; init; }
    public required double SettleSeconds { get; init; }

    /// <summary>Storage requests between sending each idle upload and reading its answer, summed over <see cref="IdleUploads"/>.</summary>
    public required StorageRequests IdleRequests { get; init; }
    public required int IdleUploads { get; init; }

    /// <summary>CPU seconds in the timed run by process (utime + stime, children excluded).</summary>
    public required IReadOnlyList<double> SiloCpu { get; init; }

    /// <summary>Of <see cref="SiloCpu"/>, the niced threads' (conversion), per silo.</summary>
    public required IReadOnlyList<double> ConversionCpu { get; init; }
    public required double GatewayCpu { get; init; }
    /// <summary>Of the store processes (<see cref="ScaleOutCluster.StoreCpuSeconds"/>).</summary>
    public required double StoreCpu { get; init; }
    public required double ClientCpu { get; init; }
    public required double MachineBusy { get; init; }

    /// <summary>Jobs each silo completed in the timed run (<c>pixerve_jobs_total{status="completed"}</c>): where they were placed.</summary>
    public required IReadOnlyList<double> JobsBySilo { get; init; }
    public required IReadOnlyList<(double Depth, double Running)> MeanQueues { get; init; }

    /// <summary>Per silo, periods its cgroup was held at the quota and the seconds it was held back; empty without quota.</summary>
    public required IReadOnlyList<(long Periods, double Seconds)> Throttling { get; init; }

    /// <summary><c>GET /events</c> streams opened in the timed run (one per job, again should one end before a final state).</summary>
    public required int StatusRequests { get; init; }

    public int Completed => Latencies.Count;
    public double JobsPerSecond => Completed / Wall.TotalSeconds;
}
