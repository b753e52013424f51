using System.Diagnostics;

namespace Lifeguard.Cli.Drill;

/// <summary>The Lifeguard checkout the drill runs from: its scripts and the website's build output.</summary>
internal sealed class Checkout(string root)
{
    public string Root { get; } = root;

    public string WebsiteDll => Path.Combine(Root, "apps", "Website", "bin", "Release", "net10.0", "Website.dll");

    /// <summary>Finds the checkout from the working directory or this program's location.</summary>
    public static Checkout Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Lifeguard.slnx"))) return new Checkout(dir.FullName);
            }
        }

        throw new InvalidOperationException("cannot find the Lifeguard checkout (Lifeguard.slnx): run the drill from inside it.");
    }

    /// <summary>Runs a program to completion, echoing nothing unless it fails; returns its standard output.</summary>
    public async Task<string> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({p.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}".Trim());
        }

        return await stdout.ConfigureAwait(false);
    }
}
