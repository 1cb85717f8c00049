using Pixerve.AppHost;

// Pixerve on this machine as Aspire runs it: Azurite, N silos and M gateways (Pixerve:AppHost:Silos, :Gateways),
// clustered through Azurite's membership table (or, with Pixerve:AppHost:ClusterProvider=postgres, PostgreSQL's, with
// uploads staged in s3rver and no Azurite), with every process's logs, traces and metrics on the dashboard.
var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostOptions.Read(builder.Configuration, builder.AppHostDirectory);

// Pixerve:AppHost:ClusterProvider=postgres: membership, grain state and reminders in a PostgreSQL of its own, uploads
// in an S3 bucket: the deployment off Azure, with nothing of Azure running.
var stores = settings.ClusterProvider == "postgres"
    ? new ClusterStores(null, builder.AddPostgres(settings), builder.AddS3rver(settings))
    : new ClusterStores(builder.AddAzurite(settings.Repository), null, null);

// Generated on first run and kept in the AppHost's user secrets; set Parameters:jwt-secret (etc.) to choose them.
var jwtSecret = builder.AddSecret("jwt-secret");
var adminToken = builder.AddSecret("admin-token");
var webhookSecret = builder.AddSecret("webhook-secret");

// The silo's health/metrics port is its "http" endpoint (the dashboard's health check reads /health/ready there);
// its Orleans ports are endpoints too, so DCP gives every replica ports of its own. Silos talk to each other and
// gateways reach them directly on those ports (advertised 127.0.0.1), never through Aspire's proxies.
var silo = builder.AddProject<Projects.Pixerve_Silo>("silo")
    .WithPixerveCluster(stores, settings)
    .WithHttpEndpoint(name: "http", env: "Pixerve__Metrics__Port")
    .WithEndpoint(name: "orleans-silo", scheme: "tcp", env: "Pixerve__Silo__Port", isExternal: false)
    .WithEndpoint(name: "orleans-gateway", scheme: "tcp", env: "Pixerve__Silo__GatewayPort", isExternal: false)
    .WithEnvironment("Pixerve__Webhooks__Secret", webhookSecret)
    .WithHttpHealthCheck("/health/ready")
    .WithReplicas(settings.Silos);

var gateway = builder.AddProject<Projects.Pixerve_Gateway>("gateway")
    .WithPixerveCluster(stores, settings)
    .WithHttpEndpoint(port: settings.GatewayPort, name: "http")
    .WithEnvironment("Pixerve__Jwt__Secret", jwtSecret)
    .WithEnvironment("Pixerve__AdminToken", adminToken)
    .WithHttpHealthCheck("/health/ready")
    .WithReplicas(settings.Gateways)
    .WaitFor(silo);
// The gateway's appsettings.json says Urls=http://localhost:8080, which would beat Aspire's ASPNETCORE_URLS:
// an environment variable beats the file, so each replica listens on the port DCP gave it.
var http = gateway.GetEndpoint("http");
gateway.WithEnvironment("Urls", ReferenceExpression.Create($"http://localhost:{http.Property(EndpointProperty.TargetPort)}"));

builder.Build().Run();
