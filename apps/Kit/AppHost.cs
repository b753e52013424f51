using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Lifeguard.Kit;

/// <summary>What the apps' hosts have in common: their builder and the one-line options check (the verbs: <see cref="AppVerbs"/>).</summary>
public static class AppHost
{
    /// <summary>
    /// A builder whose content root is the app's folder (appsettings.json is found from any working directory) and
    /// whose application name is the app's assembly, so Razor Pages are found even when a test process hosts the app.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Assembly app) =>
        WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = app.GetName().Name,
        });

    /// <summary>
    /// Binds and validates a section (and the nested option objects <paramref name="parts"/> names) before the host
    /// starts: the host would log a stack trace for a failed ValidateOnStart; this fails with one line instead.
    /// </summary>
    public static T CheckOptions<T>(IConfiguration configuration, string section, Func<T, IEnumerable<object>>? parts = null)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        T options;
        try
        {
            options = configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException($"the {section} section is invalid: {ex.GetBaseException().Message}");
        }

        var problems = new List<ValidationResult>();
        var valid = true;
        foreach (var part in new object[] { options }.Concat(parts?.Invoke(options) ?? []))
        {
            valid &= Validator.TryValidateObject(part, new ValidationContext(part), problems, validateAllProperties: true);
        }

        return valid
            ? options
            : throw new StartupConfigurationException($"the {section} section is invalid: {string.Join(" ", problems.Select(p => p.ErrorMessage))}");
    }
}
