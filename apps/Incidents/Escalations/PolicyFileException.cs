namespace Incidents.Escalations;

/// <summary>The policy file is invalid; <see cref="Errors"/> are "FILE:LINE: problem", one per problem found.</summary>
public sealed class PolicyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyFileException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    /// <summary>Creates the exception.</summary>
    public PolicyFileException()
        : this([])
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyFileException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyFileException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    /// <summary>Every problem, with its line.</summary>
    public IReadOnlyList<string> Errors { get; }
}
