namespace Pixerve.Gateway.Admin;

/// <summary>
/// One structured log event per admin action (a credential written, deleted or tested; another's job read or
/// cancelled), under the category <c>Pixerve.Audit</c>: who (the admin scheme and the client's address), what and on
/// what. Never a secret: the target is a credential key or a job's hash or id, never a request body.
/// </summary>
public sealed partial class AdminAudit(ILoggerFactory loggers)
{
    public const string Category = "Pixerve.Audit";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Record(HttpContext http, string action, string target) =>
        Log(_logger, action, target, AdminCaller.Scheme(http.User) ?? "none", http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>
    /// Audits every admin request to the endpoints of <paramref name="builder"/> as its method and path on its job: the
    /// query's <c>job_id</c>, else the route's <c>{jobId}</c> (the job view's endpoints), else the query's <c>hash</c>.
    /// </summary>
    public static TBuilder AuditJobReads<TBuilder>(TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.User.IsAdmin())
            {
                var query = http.Request.Query;
                var target = query["job_id"].ToString() is { Length: > 0 } id ? $"job_id={id}"
                    : http.Request.RouteValues["jobId"] is string routed ? $"job_id={routed}"
                    : $"hash={query["hash"]}";
                http.RequestServices.GetRequiredService<AdminAudit>().Record(http, $"{http.Request.Method} {http.Request.Path}", target);
            }

            return await next(context);
        });

    [LoggerMessage(EventId = 9000, EventName = "AdminAction", Level = LogLevel.Information,
        Message = "Admin action {Action} on {Target} by {Scheme} from {ClientAddress}")]
    private static partial void Log(ILogger logger, string action, string target, string scheme, string clientAddress);
}
