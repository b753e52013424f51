namespace Website.Accounts;

/// <summary>Email normalisation: the single form stored in <c>users.email</c> and used for look-ups.</summary>
public static class EmailAddress
{
    /// <summary>Longest address accepted (RFC 5321 path limit).</summary>
    public const int MaxLength = 254;

    /// <summary>Returns the trimmed, lower-case address, or null when it is not a plausible email address.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null)
        {
            return null;
        }

        var s = input.Trim();
        if (s.Length is < 3 or > MaxLength)
        {
            return null;
        }

        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != s.LastIndexOf('@') || at == s.Length - 1)
        {
            return null;
        }

        foreach (var c in s)
        {
            // No whitespace, controls, quotes or angle brackets: such addresses are legal in theory
            // but only ever show up here as injection attempts.
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '<' or '>' or '\\' or ',' or ';' or '\uFFFD')
            {
                return null;
            }
        }

        var domain = s[(at + 1)..];
        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        return s.ToLowerInvariant();
    }
}
