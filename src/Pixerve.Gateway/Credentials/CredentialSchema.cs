using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pixerve.GrainInterfaces.Credentials;

namespace Pixerve.Gateway.Credentials;

/// <summary>A credential the server refuses, naming the field at fault (<c>key</c>, <c>type</c> or <c>data.&lt;field&gt;</c>).</summary>
public sealed class CredentialException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

public enum FieldKind
{
    Text,
    Url,
    Flag,
    Port,
    AbsolutePath,
    JsonObject,
}

public sealed record CredentialField(string Name, FieldKind Kind, bool Required = false, bool Secret = false);

/// <summary>
/// The fields of each credential type. Names are snake_case on the wire; camelCase (<c>serviceUrl</c>) is accepted
/// too, as job specs are camelCase. Secret fields are encrypted at rest and never answered.
/// </summary>
public static partial class CredentialSchema
{
    public static readonly IReadOnlyDictionary<CredentialType, CredentialField[]> Fields = new Dictionary<CredentialType, CredentialField[]>
    {
        [CredentialType.S3] =
        [
            new("bucket", FieldKind.Text, Required: true),
            new("region", FieldKind.Text),
            new("service_url", FieldKind.Url),
            new("force_path_style", FieldKind.Flag),
            new("prefix", FieldKind.Text),
            new("access_key_id", FieldKind.Text, Required: true),
            new("secret_access_key", FieldKind.Text, Required: true, Secret: true),
        ],
        [CredentialType.Gcs] =
        [
            new("bucket", FieldKind.Text, Required: true),
            new("prefix", FieldKind.Text),
            new("base_uri", FieldKind.Url),
            new("service_account_json", FieldKind.JsonObject, Required: true, Secret: true),
        ],
        [CredentialType.Sftp] =
        [
            new("host", FieldKind.Text, Required: true),
            new("port", FieldKind.Port),
            new("username", FieldKind.Text, Required: true),
            new("password", FieldKind.Text, Secret: true),
            new("private_key", FieldKind.Text, Secret: true),
            new("private_key_passphrase", FieldKind.Text, Secret: true),
            new("host_key_fingerprint", FieldKind.Text),
            new("accept_any_host_key", FieldKind.Flag),
            new("root", FieldKind.Text),
        ],
        [CredentialType.Direct] =
        [
            new("path", FieldKind.AbsolutePath, Required: true),
            new("base_url", FieldKind.Url),
        ],
    };

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["access_key"] = "access_key_id",
        ["secret_key"] = "secret_access_key",
        ["secret"] = "secret_access_key",
        ["user"] = "username",
    };

    /// <summary>Validates <c>{key, type, data}</c> into a definition whose secrets are split from its settings.</summary>
    public static CredentialDefinition Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new CredentialException("body", "must be a JSON object {key, type, data}");
        var key = body.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        if (!KeyPattern().IsMatch(key)) throw new CredentialException("key", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
        var typeName = body.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (!CredentialTypes.TryParse(typeName, out var type)) throw new CredentialException("type", "must be s3, gcs, sftp or direct");
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new CredentialException("data", "must be an object of the credential's fields");

        var fields = Fields[type].ToDictionary(f => f.Name);
        var settings = new Dictionary<string, string>();
        var secrets = new Dictionary<string, string>();
        foreach (var property in data.EnumerateObject())
        {
            var name = SnakeCase(property.Name);
            name = Aliases.GetValueOrDefault(name, name);
            if (!fields.TryGetValue(name, out var field))
                throw new CredentialException($"data.{property.Name}", $"is not a field of {type.ToWire()} credentials; use {string.Join(", ", fields.Keys)}");
            if (property.Value.ValueKind == JsonValueKind.Null) continue;
            var value = Value(field, property.Value, $"data.{name}");
            if (value.Length == 0) continue;
            (field.Secret ? secrets : settings)[name] = value;
        }

        foreach (var field in Fields[type].Where(f => f.Required && !settings.ContainsKey(f.Name) && !secrets.ContainsKey(f.Name)))
            throw new CredentialException($"data.{field.Name}", "is required");

        if (type == CredentialType.Sftp)
        {
            if (!secrets.ContainsKey("password") && !secrets.ContainsKey("private_key"))
                throw new CredentialException("data.password", "set password or private_key");
            if (!settings.ContainsKey("host_key_fingerprint") && settings.GetValueOrDefault("accept_any_host_key") != "true")
                throw new CredentialException("data.host_key_fingerprint",
                    "pin the server's host key (SHA256:… from 'ssh-keygen -lf'), or set accept_any_host_key for testing");
        }

        return new CredentialDefinition(key, type, settings, secrets);
    }

    /// <summary>Stored settings with flags and ports as JSON booleans and numbers again, as they were posted.</summary>
    public static IReadOnlyDictionary<string, object> Typed(CredentialType type, IReadOnlyDictionary<string, string> settings)
    {
        var kinds = Fields[type].ToDictionary(f => f.Name, f => f.Kind);
        return settings.ToDictionary(s => s.Key, s => kinds.GetValueOrDefault(s.Key) switch
        {
            FieldKind.Flag when bool.TryParse(s.Value, out var flag) => (object)flag,
            FieldKind.Port when int.TryParse(s.Value, CultureInfo.InvariantCulture, out var port) => port,
            _ => s.Value,
        });
    }

    private static string Value(CredentialField field, JsonElement value, string at)
    {
        switch (field.Kind)
        {
            case FieldKind.Flag:
                return value.ValueKind switch
                {
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => throw new CredentialException(at, "must be true or false"),
                };
            case FieldKind.Port:
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var port) && port is > 0 and < 65536)
                    return port.ToString(CultureInfo.InvariantCulture);
                throw new CredentialException(at, "must be a port number from 1 to 65535");
            case FieldKind.JsonObject:
                var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                try
                {
                    using var document = JsonDocument.Parse(text);
                    if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
                    if (!document.RootElement.TryGetProperty("client_email", out _) || !document.RootElement.TryGetProperty("private_key", out _))
                        throw new CredentialException(at, "must be a service-account key with client_email and private_key");
                }
                catch (JsonException)
                {
                    throw new CredentialException(at, "must be a service-account key file (a JSON object, or a string holding one)");
                }

                return text;
        }

        if (value.ValueKind != JsonValueKind.String) throw new CredentialException(at, "must be a string");
        var s = value.GetString()!.Trim();
        if (field.Kind == FieldKind.Url && s.Length > 0 &&
            (!Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new CredentialException(at, "must be an absolute http or https URL");
        if (field.Kind == FieldKind.AbsolutePath && s.Length > 0 && !Path.IsPathFullyQualified(s))
            throw new CredentialException(at, "must be an absolute directory path on the silos");
        return field.Name == "private_key" ? value.GetString()! : s;
    }

    private static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c))
            {
                if (result.Length > 0) result.Append('_');
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c == '-' ? '_' : c);
            }
        }

        return result.ToString();
    }

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,64}\z")] // \z: '$' would let a trailing newline through
    private static partial Regex KeyPattern();
}
