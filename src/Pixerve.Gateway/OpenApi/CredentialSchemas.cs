using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pixerve.Gateway.Credentials;
using Pixerve.Storage;
using Pixerve.Storage.Credentials;

namespace Pixerve.Gateway.OpenApi;

/// <summary>
/// The credential shapes from the registered storage providers, which the types alone cannot tell: every credential
/// <c>type</c> as an enum of their names, and one <c>{Name}CredentialData</c> schema per provider (its fields, which
/// are required, which are secret) that a credential's <c>data</c> is one of.
/// </summary>
public static class CredentialSchemas
{
    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null) return Task.CompletedTask;
        var providers = context.ApplicationServices.GetRequiredService<StorageProviderRegistry>();
        var names = providers.Names.Select(n => (JsonNode)JsonValue.Create(n)).ToList();
        foreach (var schema in new[] { "CredentialRequest", "CredentialResponse", "CredentialListItem", "CredentialTestResponse", "CredentialTypeInfo" })
        {
            if (Property(schemas, schema, "type") is { } type) type.Enum = names;
        }

        if (Property(schemas, "CredentialFieldInfo", "kind") is { } kind)
            kind.Enum = Enum.GetValues<CredentialFieldKind>().Select(k => (JsonNode)JsonValue.Create(CredentialFieldInfo.KindName(k))).ToList();

        var data = new List<IOpenApiSchema>();
        foreach (var provider in providers.All)
        {
            var id = $"{char.ToUpperInvariant(provider.Name[0])}{provider.Name[1..]}CredentialData";
            schemas[id] = Data(provider);
            data.Add(new OpenApiSchemaReference(id, document));
        }

        if (Property(schemas, "CredentialRequest", "data") is { } request)
        {
            request.Type = null;
            request.AnyOf = data;
            request.Description = "the fields of the credential's type: snake_case (camelCase and kebab-case are converted), null and empty values left out";
        }

        if (Property(schemas, "CredentialResponse", "data") is { } response)
            response.Description = "the non-secret fields of the credential's type, flags and ports as JSON booleans and numbers";
        return Task.CompletedTask;
    }

    private static OpenApiSchema Data(IStorageProvider provider) => new()
    {
        Type = JsonSchemaType.Object,
        Description = $"a {provider.Name} credential: {provider.Description}",
        Required = provider.Fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(),
        Properties = provider.Fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)Field(f)),
    };

    private static OpenApiSchema Field(CredentialField field)
    {
        var schema = new OpenApiSchema
        {
            Description = field.Aliases.Count == 0 ? field.Description : $"{field.Description} (also accepted as {string.Join(", ", field.Aliases)})",
            WriteOnly = field.Secret,
        };
        switch (field.Kind)
        {
            case CredentialFieldKind.Flag:
                schema.Type = JsonSchemaType.Boolean;
                break;
            case CredentialFieldKind.Port:
                schema.Type = JsonSchemaType.Integer;
                schema.Minimum = "1";
                schema.Maximum = "65535";
                break;
            case CredentialFieldKind.JsonObject:
                schema.Type = JsonSchemaType.Object | JsonSchemaType.String;
                break;
            default:
                schema.Type = JsonSchemaType.String;
                if (field.Kind == CredentialFieldKind.Url) schema.Format = "uri";
                break;
        }

        if (field.Default is { } value)
            schema.Default = field.Kind == CredentialFieldKind.Port ? JsonValue.Create(int.Parse(value, CultureInfo.InvariantCulture)) : JsonValue.Create(value);
        return schema;
    }

    private static OpenApiSchema? Property(IDictionary<string, IOpenApiSchema> schemas, string schema, string property) =>
        schemas.TryGetValue(schema, out var s) && s.Properties is { } properties && properties.TryGetValue(property, out var p)
            ? p as OpenApiSchema
            : null;
}
