namespace Website.Accounts;

/// <summary>The password strength rule: 10-128 characters, three of four character classes, not built from the email.</summary>
public static class PasswordRules
{
    /// <summary>Minimum length.</summary>
    public const int MinLength = 10;

    /// <summary>Maximum length (PBKDF2 cost grows with input; 128 is plenty for passphrases).</summary>
    public const int MaxLength = 128;

    /// <summary>Returns the problems with <paramref name="password"/>; empty when it is acceptable.</summary>
    public static IReadOnlyList<string> Check(string? password, string? email)
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(password))
        {
            problems.Add("Enter a password.");
            return problems;
        }

        if (password.Length < MinLength)
        {
            problems.Add($"Use at least {MinLength} characters.");
        }

        if (password.Length > MaxLength)
        {
            problems.Add($"Use at most {MaxLength} characters.");
            return problems;
        }

        var classes = (password.Any(char.IsLower) ? 1 : 0) + (password.Any(char.IsUpper) ? 1 : 0)
            + (password.Any(char.IsDigit) ? 1 : 0) + (password.Any(c => !char.IsLetterOrDigit(c)) ? 1 : 0);
        if (classes < 3)
        {
            problems.Add("Mix at least three of: lower case, upper case, digits, symbols.");
        }

        if (password.Distinct().Count() < 5)
        {
            problems.Add("Use at least five different characters.");
        }

        var local = email?.Split('@')[0];
        if (local is { Length: >= 3 } && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("Do not put your email address in the password.");
        }

        return problems;
    }
}
