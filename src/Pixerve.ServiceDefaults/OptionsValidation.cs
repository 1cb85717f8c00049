using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Every Pixerve setting is bound to an options class and validated when the process starts: a bad value stops it
/// with a message that names the configuration key (<c>Pixerve:Jobs:Concurrency: must be …</c>).
/// </summary>
public static class OptionsValidation
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>, validated by its data annotations at start.</summary>
    public static OptionsBuilder<T> AddPixerveOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new KeyedAnnotationsValidator<T>(section));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>The section bound and validated now, for the settings a host needs before its services exist.</summary>
    public static T GetValidated<T>(this IConfiguration configuration, string section) where T : class, new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        var result = new KeyedAnnotationsValidator<T>(section).Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(section, typeof(T), result.Failures);
        return options;
    }

    /// <summary>Data annotations, with each failure named by its full configuration key.</summary>
    private sealed class KeyedAnnotationsValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
