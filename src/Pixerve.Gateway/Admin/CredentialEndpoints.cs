using System.Text.Json;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Admin;

/// <summary>The body of <c>POST /admin/credentials</c> (documentation; the handler validates the JSON itself to name bad fields).</summary>
public sealed record CredentialRequest(string Key, string Type, IReadOnlyDictionary<string, object> Data);

public sealed record CredentialListItem(string Key, string Type);

public sealed record CredentialListResponse(IReadOnlyList<CredentialListItem> Credentials);

/// <param name="Data">The non-secret fields only.</param>
/// <param name="SecretFields">Which secrets are set; their values are never answered.</param>
public sealed record CredentialResponse(string Key, string Type, IReadOnlyDictionary<string, object> Data, IReadOnlyList<string> SecretFields, DateTimeOffset UpdatedAt);

public sealed record CredentialTestResponse(string Key, string Type, bool Ok);

/// <summary><c>/admin/credentials</c>: storage credentials, managed with the admin token.</summary>
public static class CredentialEndpoints
{
    public static IEndpointRouteBuilder MapCredentialEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        var group = app.MapGroup("/admin/credentials").WithTags("Storage credentials")
            .RequireAdmin(configuration)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("", async (HttpContext http, IGrainFactory grains) =>
        {
            CredentialDefinition credential;
            try
            {
                using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                credential = CredentialSchema.Parse(body.RootElement);
            }
            catch (JsonException)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "the body is not valid JSON");
            }
            catch (CredentialException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: e.Message,
                    extensions: new Dictionary<string, object?> { ["field"] = e.Field });
            }

            var store = grains.GetGrain<ICredentialStoreGrain>(0);
            var isNew = await store.Put(credential);
            var response = Response((await store.Get(credential.Key))!);
            return isNew ? Results.Created($"/admin/credentials/{credential.Key}", response) : Results.Ok(response);
        }).Accepts<CredentialRequest>("application/json").Produces<CredentialResponse>(StatusCodes.Status201Created).Produces<CredentialResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Add or replace a storage credential");

        group.MapGet("", async (IGrainFactory grains) =>
        {
            var all = await grains.GetGrain<ICredentialStoreGrain>(0).List();
            return Results.Ok(new CredentialListResponse(all.Select(c => new CredentialListItem(c.Key, c.Type.ToWire())).ToList()));
        }).Produces<CredentialListResponse>().WithSummary("Every credential's key and type");

        group.MapGet("/{key}", async (string key, IGrainFactory grains) =>
            await grains.GetGrain<ICredentialStoreGrain>(0).Get(key) is { } credential
                ? Results.Ok(Response(credential))
                : NotFound(key))
            .Produces<CredentialResponse>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A credential's non-secret fields");

        group.MapDelete("/{key}", async (string key, IGrainFactory grains) =>
            await grains.GetGrain<ICredentialStoreGrain>(0).Delete(key) ? Results.NoContent() : NotFound(key))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Delete a credential");

        // The request's token: a caller that hangs up stops the probe's write too.
        group.MapPost("/{key}/test", async (string key, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            if (await grains.GetGrain<ICredentialStoreGrain>(0).Get(key) is not { } credential) return NotFound(key);
            var type = credential.Type.ToWire();
            var error = await grains.GetGrain<IStorageGrain>(type).Probe(key, cancellationToken);
            return error is null
                ? Results.Ok(new CredentialTestResponse(key, type, true))
                : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The storage backend refused the probe",
                    detail: $"{type} '{key}': {error}");
        }).Produces<CredentialTestResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway)
            .WithSummary("Write and delete a probe object with the credential");
        return app;
    }

    private static CredentialResponse Response(CredentialSummary credential) =>
        new(credential.Key, credential.Type.ToWire(), CredentialSchema.Typed(credential.Type, credential.Settings), credential.SecretFields, credential.UpdatedAt);

    private static IResult NotFound(string key) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no credential named '{key}'");
}
