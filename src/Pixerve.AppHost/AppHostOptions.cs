using Microsoft.Extensions.Configuration;

namespace Pixerve.AppHost;

/// <summary>
/// The AppHost's own options (command line <c>--Pixerve:AppHost:Silos=5</c>, environment
/// <c>Pixerve__AppHost__Silos=5</c>, or its appsettings.json).
/// </summary>
/// <param name="ClusterProvider">Where the cluster keeps membership, grain state and reminders: <c>azure</c> (Azurite's
/// tables and blobs) or <c>postgres</c> (a PostgreSQL of its own, see <see cref="PostgresExecutable"/>, with uploads
/// staged in s3rver, see <see cref="S3rverExecutable"/>).</param>
public sealed record AppHostOptions(string Repository, int Silos, int Gateways, int? GatewayPort, string DataDir, string ClusterId,
    string ClusterProvider)
{
    public const string Section = "Pixerve:AppHost";

    public static AppHostOptions Read(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection(Section);
        var repository = Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".."));
        var silos = section.GetValue("Silos", 3);
        var gateways = section.GetValue("Gateways", 2);
        if (silos is < 1 or > 32) throw new InvalidOperationException($"{Section}:Silos must be 1 to 32, not {silos}");
        if (gateways is < 1 or > 32) throw new InvalidOperationException($"{Section}:Gateways must be 1 to 32, not {gateways}");
        // 0 lets DCP pick the gateways' shared port (tests); 8080 by default, as run.sh.
        var gatewayPort = section.GetValue("GatewayPort", 8080) is var port and > 0 ? port : (int?)null;
        var dataDir = Path.GetFullPath(section["DataDir"] is { Length: > 0 } dir ? dir : Path.Combine(repository, ".data", "aspire"));
        var provider = (section["ClusterProvider"] is { Length: > 0 } chosen ? chosen : "azure").ToLowerInvariant();
        if (provider is not ("azure" or "postgres"))
            throw new InvalidOperationException($"{Section}:ClusterProvider must be azure or postgres, not {provider}");
        return new AppHostOptions(repository, silos, gateways, gatewayPort, dataDir, section["ClusterId"] ?? "pixerve", provider);
    }
}
