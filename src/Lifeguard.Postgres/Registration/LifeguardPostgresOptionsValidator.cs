using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Lifeguard.Postgres.Registration;

/// <summary>Validates <see cref="LifeguardPostgresOptions"/> and its nested reader settings when the host starts (data
/// annotations alone do not look into nested objects).</summary>
internal sealed class LifeguardPostgresOptionsValidator : IValidateOptions<LifeguardPostgresOptions>
{
    public ValidateOptionsResult Validate(string? name, LifeguardPostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options.Reader, new ValidationContext(options.Reader), errors, validateAllProperties: true);
        var failures = errors.Select(e => $"LifeguardPostgresOptions.Reader: {e.ErrorMessage}").ToList();
        var fleet = new List<ValidationResult>();
        Validator.TryValidateObject(options.Fleet, new ValidationContext(options.Fleet), fleet, validateAllProperties: true);
        failures.AddRange(fleet.Select(e => $"LifeguardPostgresOptions.Fleet: {e.ErrorMessage}"));
        foreach (var (key, value) in new[] { ("ConnectionString", options.ConnectionString), ("ReaderConnectionString", options.ReaderConnectionString), ("PoolerConnectionString", options.PoolerConnectionString) })
        {
            if (value is not null && string.IsNullOrWhiteSpace(value)) failures.Add($"LifeguardPostgresOptions.{key} is empty; leave it null to use the default.");
        }
        if (!string.IsNullOrWhiteSpace(options.PoolerConnectionString))
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.PoolerConnectionString);
            }
            catch (ArgumentException e)
            {
                failures.Add("LifeguardPostgresOptions.PoolerConnectionString is not a valid connection string: " + e.Message);
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
