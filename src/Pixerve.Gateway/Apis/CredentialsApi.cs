using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Credentials;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.GrainInterfaces.Storage;
using Pixerve.Storage;

namespace Pixerve.Gateway.Apis;

/// <summary><c>/admin/credentials</c>: storage credentials, managed with the admin token; secrets are never answered.</summary>
public static class CredentialsApi
{
    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/credentials").WithTags("Storage credentials").RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("", PutAsync).WithName("putCredential").Accepts<CredentialRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Add or replace a storage credential");
        // Any other content type, or none: the Accepts metadata above would have routing answer 415 itself, before
        // authentication and without a word of what to send. Here the caller is authenticated first, then told.
        group.MapPost("", PutAsync).WithOrder(1).ExcludeFromDescription();
        group.MapGet("", ListAsync).WithName("listCredentials").WithSummary("Every credential's key and type");
        group.MapGet("/{key}", GetAsync).WithName("getCredential").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A credential's non-secret fields");
        group.MapDelete("/{key}", DeleteAsync).WithName("deleteCredential").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Delete a credential");
        group.MapPost("/{key}/test", TestAsync).WithName("testCredential").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway)
            .WithSummary("Write and delete a probe object with the credential");
        // Not under /admin/credentials/: a credential may be named anything, "types" included.
        app.MapGet("/admin/credential-types", (StorageProviderRegistry providers) => TypedResults.Ok(CredentialTypesResponse.From(providers))).WithName("listCredentialTypes")
            .WithTags("Storage credentials").RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("The storage types this server has, with their credential fields");
        return app;
    }

    private static async Task<Results<Created<CredentialResponse>, Ok<CredentialResponse>, ProblemHttpResult>> PutAsync(
        HttpContext http, IGrainFactory grains, StorageProviderRegistry providers, AdminAudit audit)
    {
        if (!IsJson(http.Request.ContentType))
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: "send the credential as JSON with 'Content-Type: application/json' (curl -d alone sends application/x-www-form-urlencoded)");
        CredentialDefinition credential;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            credential = CredentialSchema.Parse(body.RootElement, providers);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "the body is not valid JSON");
        }
        catch (CredentialException e)
        {
            // field: the first input at fault, as every refusal names one; errors: all of them, as ASP.NET's validation problems list them.
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: e.Message,
                extensions: new Dictionary<string, object?>
                {
                    ["field"] = e.Field,
                    ["errors"] = e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()),
                });
        }

        var store = grains.GetGrain<ICredentialStoreGrain>(0);
        var isNew = await store.Put(credential);
        audit.Record(http, isNew ? "credential created" : "credential replaced", credential.Key);
        var response = CredentialResponse.From((await store.Get(credential.Key))!, providers);
        return isNew ? TypedResults.Created($"/admin/credentials/{credential.Key}", response) : TypedResults.Ok(response);
    }

    private static async Task<Ok<CredentialListResponse>> ListAsync(IGrainFactory grains)
    {
        var all = await grains.GetGrain<ICredentialStoreGrain>(0).List();
        return TypedResults.Ok(new CredentialListResponse(all.Select(c => new CredentialListItem(c.Key, c.Type)).ToList()));
    }

    private static async Task<Results<Ok<CredentialResponse>, ProblemHttpResult>> GetAsync(string key, IGrainFactory grains, StorageProviderRegistry providers) =>
        await grains.GetGrain<ICredentialStoreGrain>(0).Get(key) is { } credential
            ? TypedResults.Ok(CredentialResponse.From(credential, providers))
            : NotFound(key);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string key, HttpContext http, IGrainFactory grains, AdminAudit audit)
    {
        audit.Record(http, "credential deleted", key);
        return await grains.GetGrain<ICredentialStoreGrain>(0).Delete(key) ? TypedResults.NoContent() : NotFound(key);
    }

    private static async Task<Results<Ok<CredentialTestResponse>, ProblemHttpResult>> TestAsync(
        string key, HttpContext http, IGrainFactory grains, AdminAudit audit, CancellationToken cancellationToken)
    {
        audit.Record(http, "credential tested", key);
        if (await grains.GetGrain<ICredentialStoreGrain>(0).Get(key) is not { } credential) return NotFound(key);
        var type = credential.Type;
        var error = await grains.GetGrain<IStorageGrain>(type).Probe(key, cancellationToken);
        return error is null
            ? TypedResults.Ok(new CredentialTestResponse(key, type, true))
            : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The storage backend refused the probe",
                detail: $"{type} '{key}': {error}");
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type) &&
        (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         type.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    private static ProblemHttpResult NotFound(string key) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no credential named '{key}'");
}
