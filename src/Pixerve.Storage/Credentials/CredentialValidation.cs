using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pixerve.Storage.Credentials;

/// <summary>A credential's <c>data</c> read against its provider: settings and secrets apart, or what is wrong with them.</summary>
public sealed record CredentialFields(
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Secrets,
    IReadOnlyList<CredentialFieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// The one place a credential's fields are checked: each field by its declared kind, the required ones, then the
/// provider's own rules (<see cref="IStorageProvider.Validate"/>). Names are snake_case; camelCase and kebab-case
/// are accepted and converted (<c>serviceUrl</c>), as job claims are camelCase. <c>null</c> and empty values are left out.
/// </summary>
public static class CredentialValidation
{
    public static CredentialFields Read(IStorageProvider provider, JsonElement data)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<CredentialFieldError>();
        if (data.ValueKind != JsonValueKind.Object)
            return new(settings, secrets, [new CredentialFieldError("", "must be an object of the credential's fields")]);

        var byName = new Dictionary<string, CredentialField>(StringComparer.Ordinal);
        foreach (var field in provider.Fields)
        {
            byName[field.Name] = field;
            foreach (var alias in field.Aliases) byName[alias] = field;
        }

        foreach (var property in data.EnumerateObject())
        {
            if (!byName.TryGetValue(SnakeCase(property.Name), out var field))
            {
                errors.Add(new(property.Name, $"is not a field of {provider.Name} credentials; use {string.Join(", ", provider.Fields.Select(f => f.Name))}"));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null) continue;
            var (value, error) = Value(field, property.Value);
            if (error is not null)
            {
                errors.Add(new(field.Name, error));
                continue;
            }

            if (value.Length > 0) (field.Secret ? secrets : settings)[field.Name] = value;
        }

        foreach (var field in provider.Fields.Where(f => f.Required && !settings.ContainsKey(f.Name) && !secrets.ContainsKey(f.Name)))
            errors.Add(new(field.Name, "is required"));

        // The provider's rules read well-formed fields only.
        if (errors.Count == 0)
        {
            var all = new Dictionary<string, string>(secrets, StringComparer.Ordinal);
            foreach (var (name, value) in settings) all[name] = value;
            errors.AddRange(provider.Validate(all));
        }

        return new(settings, secrets, errors);
    }

    /// <summary>Stored settings with flags and ports as JSON booleans and numbers again, as they were posted.</summary>
    public static IReadOnlyDictionary<string, object> Typed(IStorageProvider? provider, IReadOnlyDictionary<string, string> settings)
    {
        var kinds = provider?.Fields.ToDictionary(f => f.Name, f => f.Kind) ?? [];
        return settings.ToDictionary(s => s.Key, s => kinds.GetValueOrDefault(s.Key) switch
        {
            CredentialFieldKind.Flag when bool.TryParse(s.Value, out var flag) => (object)flag,
            CredentialFieldKind.Port when int.TryParse(s.Value, CultureInfo.InvariantCulture, out var port) => port,
            _ => s.Value,
        });
    }

    private static (string Value, string? Error) Value(CredentialField field, JsonElement value)
    {
        switch (field.Kind)
        {
            case CredentialFieldKind.Flag:
                return value.ValueKind switch
                {
                    JsonValueKind.True => ("true", null),
                    JsonValueKind.False => ("false", null),
                    _ => ("", "must be true or false"),
                };
            case CredentialFieldKind.Port:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var port) && port is > 0 and < 65536
                    ? (port.ToString(CultureInfo.InvariantCulture), null)
                    : ("", "must be a port number from 1 to 65535");
            case CredentialFieldKind.JsonObject:
                var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                try
                {
                    using var document = JsonDocument.Parse(text);
                    if (document.RootElement.ValueKind == JsonValueKind.Object) return (text, null);
                }
                catch (JsonException)
                {
                }

                return ("", "must be a JSON object, or a string holding one");
        }

        if (value.ValueKind != JsonValueKind.String) return ("", "must be a string");
        if (field.Kind == CredentialFieldKind.Verbatim) return (value.GetString()!, null);
        var s = value.GetString()!.Trim();
        if (field.Kind == CredentialFieldKind.Url && s.Length > 0 &&
            (!Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return ("", "must be an absolute http or https URL");
        if (field.Kind == CredentialFieldKind.AbsolutePath && s.Length > 0 && !Path.IsPathFullyQualified(s))
            return ("", "must be an absolute directory path on the silos");
        return (s, null);
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
}
