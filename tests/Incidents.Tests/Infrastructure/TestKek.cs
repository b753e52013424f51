namespace Incidents.Tests.Infrastructure;

/// <summary>The key-encryption key file every service of this test run uses (in-process and replica processes share a
/// database's key ring, so they share this file too): random, owner-only, deleted at exit.</summary>
internal static class TestKek
{
    private static readonly Lazy<string> PathOnce = new(() =>
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"incidents-test-{Guid.NewGuid():N}.kek");
        File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    public static string Path => PathOnce.Value;
}
