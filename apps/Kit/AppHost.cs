using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Lifeguard.Kit;

/// <summary>What the apps' hosts have in common: their builder, the one-line options check, the verb runner.</summary>
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

    /// <summary>
    /// Runs an app's verb and turns the failures a user can mend into one line on stderr: 2 for configuration,
    /// 1 when a database verb (<paramref name="databaseVerbs"/>) cannot reach the database named by <paramref name="connectionKey"/>.
    /// </summary>
    public static async Task<int> RunVerbAsync(string app, string verb, IReadOnlyCollection<string> databaseVerbs, string connectionKey, Func<Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return await run();
        }
        catch (StartupConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"{app}: {ex.Message}");
            return 2;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"{app}: invalid configuration: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        catch (Exception ex) when (databaseVerbs.Contains(verb) && ex is NpgsqlException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"{app} {verb}: cannot use the database named by {connectionKey}: {ex.Message}");
            return 1;
        }
    }
}
