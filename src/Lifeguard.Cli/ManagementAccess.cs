using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;

namespace Lifeguard.Cli;

/// <summary>
/// The management address answers 401 without its bearer token when the app sets Lifeguard:Endpoints:Token. The verbs
/// that read it (diagnose --url, size/review --metrics-url) send the token from --token-file, or else from the variable
/// the app itself reads: never from an argument, which every user of the machine sees in ps. The token is never printed.
/// </summary>
internal static class ManagementAccess
{
    public const string TokenVariable = "Lifeguard__Endpoints__Token";

    /// <summary>The variable naming the app's token file (run.sh exports it), read when no --token-file is given.</summary>
    public const string TokenFileVariable = "Lifeguard__Endpoints__TokenFile";

    public static Option<FileInfo?> TokenFileOption() => new("--token-file")
    {
        Description = $"A file holding the management address's bearer token (default: the file named by {TokenFileVariable}, else the {TokenVariable} variable, if set).",
    };

    /// <summary>An HTTP client that sends the token, if any; a named token file that cannot be read or is empty is an error.</summary>
    public static HttpClient CreateClient(FileInfo? tokenFile, TimeSpan timeout, Uri? baseAddress = null)
    {
        var token = ReadToken(tokenFile);
        var http = new HttpClient { Timeout = timeout, BaseAddress = baseAddress };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    internal static string? ReadToken(FileInfo? tokenFile)
    {
        if (tokenFile is null && Environment.GetEnvironmentVariable(TokenFileVariable) is { Length: > 0 } fileFromEnvironment)
        {
            tokenFile = new FileInfo(fileFromEnvironment);
        }

        if (tokenFile is null)
        {
            return Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
        }

        string text;
        try
        {
            text = File.ReadAllText(tokenFile.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--token-file: cannot read {tokenFile.FullName}: {e.Message}", e);
        }

        return text.Trim() is { Length: > 0 } token ? token : throw new CliException($"--token-file: {tokenFile.FullName} is empty.");
    }

    /// <summary>What a failed request to the management address means, in words an operator can act on.</summary>
    public static string Explain(HttpRequestException e, bool sentToken) => e.StatusCode switch
    {
        HttpStatusCode.Unauthorized when sentToken => "answered 401: the token sent (--token-file or " + TokenVariable + ") is not the app's.",
        HttpStatusCode.Unauthorized => $"answered 401: the management address wants its bearer token; give it with --token-file PATH or {TokenVariable}.",
        HttpStatusCode.NotFound => "answered 404: is this the management address (Lifeguard:Endpoints:ManagementPort), not the public port?",
        _ => e.Message,
    };
}
