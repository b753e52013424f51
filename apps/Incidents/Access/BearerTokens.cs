using System.Security.Cryptography;
using System.Text;
using Lifeguard.Kit;
using Microsoft.Extensions.Options;

namespace Incidents.Access;

/// <summary>The configured bearer tokens (from files or configuration), kept only as SHA-256 digests and compared in fixed time.</summary>
public sealed class BearerTokens
{
    private const int MinimumLength = 24;
    private readonly List<(byte[] Digest, string Role, string Name)> _tokens = [];

    /// <summary>Reads the tokens named by the options; a configured file that is missing or a token that is too short stops startup.</summary>
    public BearerTokens(IOptions<IncidentsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        Add(Read(o.TokenFile, o.Token, "Incidents:TokenFile"), Roles.Responder, "api-token");
        Add(Read(o.ViewerTokenFile, o.ViewerToken, "Incidents:ViewerTokenFile"), Roles.Viewer, "viewer-token");
    }

    /// <summary>Whether any token is configured (without one the API and intake refuse every call).</summary>
    public bool Any => _tokens.Count > 0;

    /// <summary>The role and actor name of a presented token, or null.</summary>
    public (string Role, string Name)? Match(string presented)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        (string, string)? found = null;
        foreach (var t in _tokens)
        {
            // every token compared, in fixed time: the answer's timing tells nothing
            if (CryptographicOperations.FixedTimeEquals(digest, t.Digest)) found = (t.Role, t.Name);
        }

        return found;
    }

    private void Add(string? token, string role, string name)
    {
        if (token is null) return;
        if (token.Length < MinimumLength) throw new StartupConfigurationException($"the {role} token is shorter than {MinimumLength} characters");
        _tokens.Add((SHA256.HashData(Encoding.UTF8.GetBytes(token)), role, name));
    }

    private static string? Read(string? file, string? value, string key)
    {
        if (!string.IsNullOrWhiteSpace(file))
        {
            if (!File.Exists(file)) throw new StartupConfigurationException($"{key}: {file} does not exist");
            return File.ReadAllText(file).Trim();
        }

        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
