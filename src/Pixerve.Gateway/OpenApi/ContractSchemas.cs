using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Pixerve.Gateway.OpenApi;

/// <summary>
/// What the types alone do not tell the OpenAPI document: the job statuses as enums, and the fields Pixerve adds
/// to every problem (<c>field</c>, <c>trace_id</c>, a batch's <c>jobs</c>), and a title that does not depend on the
/// host. The clients under clients/ rely on them.
/// </summary>
public static class ContractSchemas
{
    private static readonly string[] JobStatuses = ["pending", "processing", "completed", "failed", "cancelled"];

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        // A fixed title: by default it is the host application's name, which differs between a build and a test host.
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "Pixerve";
        document.Info.Description = "Image ingestion: upload, convert, store. The contract in prose: docs/http-api.md.";
        var schemas = document.Components?.Schemas;
        if (schemas is null) return Task.CompletedTask;
        Enum(schemas, "StatusResponse", "status", JobStatuses);
        Enum(schemas, "UploadResponse", "status", JobStatuses);
        Enum(schemas, "RecordStatus", "status", ["success", "failed", "not_found"]);
        Enum(schemas, "WebhookResponse", "status", ["pending", "delivered", "failed"]);
        if (schemas.TryGetValue("ProblemDetails", out var problem) && problem is OpenApiSchema p)
        {
            p.Properties ??= new Dictionary<string, IOpenApiSchema>();
            // Every problem Pixerve answers says what went wrong and what to do (ProblemResponses.AddDefaultDetail
            // gives one to those ASP.NET writes itself): a client may show `detail` without checking it is there.
            p.Required = new HashSet<string> { "status", "detail" };
            p.Properties["field"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Description = "the input at fault: a job claim field (formats.jpg.sizes[0], subDir, …), hash, job_id or a credential field",
            };
            p.Properties["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "W3C trace id of the request" };
            p.Properties["jobs"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object },
                Description = "a batch upload whose every file was refused: the per-file entries",
            };
        }
        return Task.CompletedTask;
    }

    private static void Enum(IDictionary<string, IOpenApiSchema> schemas, string schema, string property, string[] values)
    {
        if (schemas.TryGetValue(schema, out var s) && s.Properties is { } properties &&
            properties.TryGetValue(property, out var p) && p is OpenApiSchema target)
            target.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
    }
}
