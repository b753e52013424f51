namespace Lifeguard.Configuration;

/// <summary>One place in the application's source or SQL that uses session state.</summary>
/// <param name="Kind">What it uses.</param>
/// <param name="File">The file, as given to the scanner.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Text">The matched text, trimmed, for the message.</param>
public sealed record SessionStateUse(SessionStateKind Kind, string File, int Line, string Text);
