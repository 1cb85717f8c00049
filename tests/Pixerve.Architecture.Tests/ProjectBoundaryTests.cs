using System.Text.RegularExpressions;

namespace Pixerve.Architecture.Tests;

/// <summary>
/// Which project may depend on what, directly or through another. Each rule names a project and the dependencies it
/// must never resolve; a pattern is a package or project name, or a family when it ends in <c>*</c>.
/// </summary>
public class ProjectBoundaryTests
{
    public static TheoryData<string, string, string> Rules => new()
    {
        // The header probe the gateway runs on every upload: managed code only, no native image library.
        { "Pixerve.Imaging.Inspection", "NetVips*", "reads headers with the BCL alone" },
        { "Pixerve.Imaging.Inspection", "SkiaSharp*", "reads headers with the BCL alone" },
        { "Pixerve.Imaging.Inspection", "Microsoft.Orleans*", "reads headers with the BCL alone" },
        { "Pixerve.Imaging.Inspection", "Pixerve.*", "is the bottom of the imaging stack" },
        // Conversion is a library: benchmarked, tested and reusable without a cluster.
        { "Pixerve.Imaging", "Microsoft.Orleans*", "converts without a cluster" },
        { "Pixerve.Imaging", "Pixerve.GrainInterfaces", "converts without a cluster" },
        { "Pixerve.Imaging", "Pixerve.ServiceDefaults", "converts without a host" },
        // The gateway only streams and inspects: decoding and encoding happen on silos.
        { "Pixerve.Gateway", "NetVips*", "never decodes an image" },
        { "Pixerve.Gateway", "SkiaSharp*", "never decodes an image" },
        { "Pixerve.Gateway", "Pixerve.Imaging", "inspects headers through Pixerve.Imaging.Inspection only" },
        { "Pixerve.Gateway", "Pixerve.Grains", "reaches grains through their interfaces only" },
        // The contract between gateway and silos carries no implementation.
        { "Pixerve.GrainInterfaces", "Pixerve.Grains", "is the contract, not the implementation" },
        { "Pixerve.GrainInterfaces", "Pixerve.Imaging", "is the contract, not the implementation" },
        { "Pixerve.GrainInterfaces", "NetVips*", "is the contract, not the implementation" },
        { "Pixerve.GrainInterfaces", "Azure.Storage*", "is the contract, not the implementation" },
        // Backends are providers the silo host registers; the grains know the storage contract only.
        { "Pixerve.Grains", "Pixerve.Storage.S3", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "Pixerve.Storage.Gcs", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "Pixerve.Storage.Sftp", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "AWSSDK*", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "Google.Cloud.Storage*", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "SSH.NET", "sees backends through Pixerve.Storage" },
        { "Pixerve.Grains", "Pixerve.Gateway", "runs on silos" },
        // Storage and its providers are plain libraries, usable without Orleans.
        { "Pixerve.Storage", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Storage.S3", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Storage.Gcs", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Storage.Sftp", "Microsoft.Orleans*", "is a plain library" },
        // Staging is a contract with a provider per project; the filesystem one needs no SDK.
        { "Pixerve.Staging", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Staging", "Azure.*", "is the contract every staging provider implements" },
        { "Pixerve.Staging", "AWSSDK*", "is the contract every staging provider implements" },
        { "Pixerve.Staging", "Pixerve.*", "is the contract every staging provider implements" },
        { "Pixerve.Staging.AzureBlob", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Staging.AzureBlob", "AWSSDK*", "is one provider" },
        { "Pixerve.Staging.AzureBlob", "Pixerve.ServiceDefaults", "is a plain library the hosts configure" },
        { "Pixerve.Staging.S3", "Microsoft.Orleans*", "is a plain library" },
        { "Pixerve.Staging.S3", "Azure.*", "is one provider" },
        { "Pixerve.Staging.S3", "Pixerve.ServiceDefaults", "is a plain library the hosts configure" },
        { "Pixerve.Staging.S3", "Pixerve.Storage*", "is staging, not a storage backend" },
        // The grains see staging through its contract: the silo host registers the S3 provider.
        { "Pixerve.Grains", "Pixerve.Staging.S3", "sees staging through Pixerve.Staging" },
        // The .NET client is what applications install: nothing of the server comes with it.
        { "Pixerve.Client", "Pixerve.*", "is installed by applications on their own" },
        { "Pixerve.Client", "Microsoft.Orleans*", "is installed by applications on their own" },
        { "Pixerve.ServiceDefaults", "Pixerve.*", "is shared by both hosts and depends on neither" },
        // A cluster provider is a library the hosts register: it is handed the storage names, it knows no grain.
        { "Pixerve.Cluster.Redis", "Pixerve.Grains", "is handed the grain storage names, and knows no grain" },
        { "Pixerve.Cluster.Redis", "Pixerve.GrainInterfaces", "knows no grain" },
        { "Pixerve.Cluster.Redis", "Azure.Storage*", "keeps the cluster in Redis alone" },
        { "Pixerve.Cluster.Redis", "Azure.Data.Tables", "keeps the cluster in Redis alone" },
        { "Pixerve.Grains", "StackExchange.Redis", "reaches grain state through Orleans' storage, whatever its provider" },
        // A cluster provider is a package the hosts register: it is handed the grain storage names, it knows no grain.
        { "Pixerve.Cluster.Postgres", "Pixerve.Grains", "is registered by the hosts and is handed the grain storage names" },
        { "Pixerve.Cluster.Postgres", "Pixerve.GrainInterfaces", "is registered by the hosts and knows no grain" },
        { "Pixerve.Cluster.Postgres", "Pixerve.Gateway", "is registered by the hosts, not one of them" },
        { "Pixerve.Cluster.Postgres", "Pixerve.Silo", "is registered by the hosts, not one of them" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_project_never_depends_on_what_its_rule_forbids(string project, string forbidden, string because)
    {
        var pattern = new Regex("^" + Regex.Escape(forbidden).Replace(@"\*", ".*") + "$", RegexOptions.IgnoreCase);
        var found = DependencyGraph.Of(project).Where(name => pattern.IsMatch(name) && name != project).ToList();
        Assert.True(found.Count == 0, $"{project} {because}, yet it depends on {string.Join(", ", found)}");
    }

    [Fact]
    public void Every_rule_names_a_project_that_exists()
    {
        var projects = Directory.GetDirectories(Path.Combine(Repository.Root, "src")).Select(Path.GetFileName).ToHashSet();
        var missing = Rules.Select(rule => (string)rule[0]).Distinct().Where(project => !projects.Contains(project)).ToList();
        Assert.True(missing.Count == 0, $"rules name projects that are not in src/: {string.Join(", ", missing)}");
    }
}
