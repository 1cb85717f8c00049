using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Apis;

namespace Pixerve.Gateway.OpenApi;

/// <summary>The security schemes of the document: which credential an operation takes, as a client generator reads it.</summary>
public static class SecuritySchemes
{
    /// <summary>A job token: an HS256 JWT signed with the shared secret, as <c>Authorization: Bearer</c>.</summary>
    public const string JobToken = "jobToken";

    /// <summary>The admin token (<c>PIXERVE_ADMIN_TOKEN</c>) as <c>Authorization: Bearer</c>.</summary>
    public const string AdminToken = "adminToken";

    /// <summary>The admin token as the password of HTTP Basic, any user name: what a browser sends for the pages.</summary>
    public const string AdminBasic = "adminBasic";

    /// <summary>
    /// Adds the three schemes to the document's components, once. Through <see cref="OpenApiDocument.AddComponent{T}"/>:
    /// a reference to a scheme resolves only once it is registered that way, and the operations refer to them
    /// before the document transformers run.
    /// </summary>
    public static void Register(OpenApiDocument document)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(JobToken) == true) return;
        document.AddComponent<IOpenApiSecurityScheme>(JobToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "A job token: an HS256 JWT signed with the shared secret (PIXERVE_JWT_SECRET), its claim naming the outputs. " +
                "POST /upload also takes it as a 'token' form field before the file.",
        });
        document.AddComponent<IOpenApiSecurityScheme>(AdminToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer",
            Description = "The admin token (PIXERVE_ADMIN_TOKEN): every job, the record lists, stats and storage credentials.",
        });
        document.AddComponent<IOpenApiSecurityScheme>(AdminBasic, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "basic",
            Description = "The admin token as the password of HTTP Basic, any user name: what a browser sends for the admin pages.",
        });
    }
}

/// <summary>
/// The credentials an operation takes when its authorization metadata does not tell them (the upload and the
/// resumable uploads check their token themselves; <c>/health</c> answers anyone, the admin with more). Each inner
/// list is one alternative; an empty one means no credential at all.
/// </summary>
public sealed record OperationSecurity(params string[][] Alternatives);

/// <summary>
/// What the endpoint metadata alone does not give the document: an operation's credentials
/// (<see cref="SecuritySchemes"/>), every 200 shape when an endpoint answers more than one, the build's version, and
/// no .NET type names (the upload form is described as the multipart body it is).
/// </summary>
public static class ContractOperations
{
    /// <summary>Names the credentials an endpoint takes when it checks them itself (see <see cref="OperationSecurity"/>).</summary>
    public static TBuilder Accepting<TBuilder>(this TBuilder builder, params string[][] alternatives) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OperationSecurity(alternatives));

    /// <summary>
    /// 200 answers one of these shapes. <paramref name="exclusive"/>: no answer fits two of them (their required
    /// properties tell them apart), so <c>oneOf</c>; else <c>anyOf</c>. <paramref name="components"/>: the shapes are
    /// component schemas of the document already, and are referred to (an inline copy would miss what the document
    /// transformers add to the component, such as a nullable reference's null).
    /// </summary>
    public static TBuilder OkIsOneOf<TBuilder>(this TBuilder builder, bool exclusive, bool components, params Type[] shapes) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (operation.Responses is null || !operation.Responses.TryGetValue("200", out var ok) || ok.Content is null ||
                !ok.Content.TryGetValue("application/json", out var json)) return;
            var schemas = new List<IOpenApiSchema>();
            foreach (var shape in shapes)
            {
                if (components)
                {
                    schemas.Add(new OpenApiSchemaReference(shape.Name, context.Document!));
                    continue;
                }

                var schema = await context.GetOrCreateSchemaAsync(shape, null, cancellationToken);
                if (schema is OpenApiSchema inline) NullableReferences.Allow(inline, shape);
                schemas.Add(schema);
            }
            json.Schema = exclusive ? new OpenApiSchema { OneOf = schemas } : new OpenApiSchema { AnyOf = schemas };
        });

    public static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        // One version everywhere: what GET /version and GET /health say, from the build (Directory.Build.props).
        document.Info ??= new OpenApiInfo();
        document.Info.Version = HealthApi.Version;
        document.Components ??= new OpenApiComponents();
        SecuritySchemes.Register(document);

        NullableReferences.Allow(document);

        // The upload form's record is for the endpoint's metadata only: the document describes the multipart body itself.
        document.Components.Schemas?.Remove("UploadForm");
        document.Components.Schemas?.Remove("IFormFile");
        return Task.CompletedTask;
    }

    /// <summary>
    /// A property the serializer leaves out when null (<c>[JsonIgnore(Condition = WhenWritingNull)]</c>: a job
    /// token's <c>error_detail</c>, say) is not required, whatever the constructor says: an answer may lack it.
    /// </summary>
    public static Task DescribeSchemaAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object) return Task.CompletedTask;
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var ignore = property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true).OfType<JsonIgnoreAttribute>().FirstOrDefault();
            if (ignore?.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault) required.Remove(property.Name);
        }

        return Task.CompletedTask;
    }

    /// <summary>Every operation: its credentials, from <see cref="OperationSecurity"/> or the endpoint's authorization policy.</summary>
    public static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var alternatives = metadata.OfType<OperationSecurity>().LastOrDefault()?.Alternatives;
        if (alternatives is null && metadata.OfType<IAuthorizeData>().ToList() is { Count: > 0 } authorize)
        {
            alternatives = authorize.Any(a => a.Policy == AdminPolicy.Name)
                ? [[SecuritySchemes.AdminToken], [SecuritySchemes.AdminBasic]]
                : [[SecuritySchemes.JobToken], [SecuritySchemes.AdminToken]];
        }

        if (alternatives is null) return Task.CompletedTask;
        SecuritySchemes.Register(context.Document!);
        operation.Security = alternatives.Select(schemes =>
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, context.Document!)] = [];
            return requirement;
        }).ToList();
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>POST /upload</c>'s body: an optional <c>token</c> field (before the files) and one or more <c>file</c>
    /// parts, each one job.
    /// </summary>
    public static Task DescribeUploadFormAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["token"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Description = "The job token, when not sent as Authorization: Bearer; it must come before the first file part.",
                            },
                            ["file"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Array,
                                MinItems = 1,
                                Description = "One or more parts named 'file' (up to Pixerve:Limits:MaxFilesPerUpload): each makes one job, answered in part order.",
                                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The image's bytes; the part's filename names it." },
                            },
                        },
                    },
                    Encoding = new Dictionary<string, OpenApiEncoding>
                    {
                        ["file"] = new() { ContentType = "application/octet-stream, image/*" },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>A JSON request body of type <typeparamref name="T"/>, for endpoints that read their body themselves.</summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> JsonBody<T>(string description) =>
        async (operation, context, cancellationToken) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken) },
            },
        };
}

/// <summary>
/// A property whose .NET type is nullable and whose schema is a reference to a component (a job's <c>webhook</c>
/// and <c>source</c> before they exist) answers <c>null</c> too: the generator writes the bare reference, which
/// refuses it, so it becomes <c>anyOf [reference, null]</c>.
/// </summary>
public static class NullableReferences
{
    private static readonly Dictionary<string, Type> Types =
        new[] { typeof(NullableReferences).Assembly, typeof(Pixerve.GrainInterfaces.Jobs.SourceInfo).Assembly }
            .SelectMany(a => a.GetExportedTypes()).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First());

    /// <summary>Every component schema named after a .NET type of the gateway or its grain interfaces.</summary>
    public static void Allow(OpenApiDocument document)
    {
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
            if (schema is OpenApiSchema s && Types.TryGetValue(name, out var type)) Allow(s, type);
    }

    public static void Allow(OpenApiSchema schema, Type type)
    {
        if (schema.Properties is null) return;
        // Not shared: a NullabilityInfoContext is not safe for concurrent use.
        var nullability = new NullabilityInfoContext();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            if (!schema.Properties.TryGetValue(name, out var current) || current is not OpenApiSchemaReference reference) continue;
            if (nullability.Create(property).ReadState != NullabilityState.Nullable) continue;
            schema.Properties[name] = new OpenApiSchema { AnyOf = [reference, new OpenApiSchema { Type = JsonSchemaType.Null }] };
        }
    }
}
