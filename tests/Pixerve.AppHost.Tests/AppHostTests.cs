using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Pixerve.Client;

namespace Pixerve.AppHost.Tests;

/// <summary>
/// The AppHost as <c>dotnet run --project src/Pixerve.AppHost</c> runs it, started by Aspire.Hosting.Testing with two
/// silos and one gateway: Azurite, the silos and the gateway are real processes under DCP.
/// </summary>
public sealed class AppHostTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData("azure")]
    [InlineData("postgres")]
    public async Task Two_silos_and_a_gateway_start_healthy_join_one_cluster_and_convert_an_upload(string clusterProvider)
    {
        var started = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Deadline);
        var (jwtSecret, adminToken) = (Secret(), Secret());
        var serveDir = Directory.CreateTempSubdirectory("pixerve-apphost-");
        // A temporary folder is its owner's alone; PostgreSQL, run as the postgres user under root, must reach into it.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(serveDir.FullName, File.GetUnixFileMode(serveDir.FullName) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pixerve_AppHost>(
        [
            "--Pixerve:AppHost:Silos=2",
            "--Pixerve:AppHost:Gateways=1",
            "--Pixerve:AppHost:GatewayPort=0",
            $"--Pixerve:AppHost:ClusterProvider={clusterProvider}",
            $"--Pixerve:AppHost:DataDir={serveDir.FullName}",
            $"--Parameters:jwt-secret={jwtSecret}",
            $"--Parameters:admin-token={adminToken}",
            $"--Parameters:webhook-secret={Secret()}",
        ], deadline.Token);
        try
        {
            await using var app = await builder.BuildAsync(deadline.Token);
            await app.StartAsync(deadline.Token);
            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.WaitForResourceHealthyAsync("gateway", deadline.Token);
            output.WriteLine($"healthy after {started.Elapsed.TotalSeconds:F1} s");

            using var http = app.CreateHttpClient("gateway", "http");
            var token = new JobSpecBuilder().Format("jpg", f => f.Size(200)).DirectHost().SubDir("apphost")
                .MintToken(jwtSecret, TimeSpan.FromMinutes(10));
            var pixerve = new PixerveClient(http);
            var image = Path.Combine(RepositoryRoot(), "tests", "data", "images", "va.jpg");
            var job = await pixerve.UploadAsync(image, token, deadline.Token);
            var final = await pixerve.WaitUntilFinalAsync(job.Hash, token, deadline.Token);
            Assert.Equal(JobStatuses.Completed, final.Status);
            var served = await pixerve.DownloadServedFileAsync("apphost", job.ExpectedFiles[0], deadline.Token);
            Assert.Equal([0xFF, 0xD8], served[..2]);
            output.WriteLine($"job completed after {started.Elapsed.TotalSeconds:F1} s");

            // Both silos joined the cluster the gateway talks to: each reports its queue to the stats grain.
            JsonElement stats = default;
            while ((stats = await AdminStatsAsync(http, adminToken, deadline.Token)).GetProperty("silos").GetArrayLength() < 2)
                await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
            var silos = stats.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("silo").GetString()).ToList();
            Assert.Equal(2, silos.Distinct().Count());
            output.WriteLine($"silos {string.Join(", ", silos)}");

            if (clusterProvider == "postgres")
            {
                // Nothing of Azure runs: uploads were staged in s3rver's bucket, and the silos found each other through
                // PostgreSQL's membership table.
                var resources = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(r => r.Name).ToList();
                Assert.DoesNotContain("azurite", resources);
                Assert.Contains("s3rver", resources);
                var port = app.GetEndpoint("postgres", "tcp").Port;
                var password = (await File.ReadAllTextAsync(Path.Combine(serveDir.FullName, "postgres-password.txt"), deadline.Token)).Trim();
                Assert.Equal("2", await PsqlAsync(port, password, "SELECT count(*) FROM orleansmembershiptable WHERE status = 3", deadline.Token));
            }
        }
        finally
        {
            serveDir.Delete(recursive: true);
            output.WriteLine($"done (AppHost stopped) after {started.Elapsed.TotalSeconds:F1} s");
        }
    }

    private static async Task<JsonElement> AdminStatsAsync(HttpClient http, string adminToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private static async Task<string> PsqlAsync(int port, string password, string query, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "pixerve", "-d", "pixerve", "-tAc", query })
            start.ArgumentList.Add(arg);
        start.Environment["PGPASSWORD"] = password;
        using var psql = Process.Start(start)!;
        var result = await psql.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await psql.StandardError.ReadToEndAsync(cancellationToken);
        await psql.WaitForExitAsync(cancellationToken);
        Assert.True(psql.ExitCode == 0, error);
        return result.Trim();
    }

    private static string Secret() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pixerve.sln"))) return dir.FullName;
        throw new InvalidOperationException("Pixerve.sln not found above " + AppContext.BaseDirectory);
    }
}
