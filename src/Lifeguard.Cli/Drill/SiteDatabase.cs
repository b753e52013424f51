using System.Globalization;
using Npgsql;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// The private PostgreSQL a drill or sweep runs the website against: started when not running (and
/// stopped again on dispose, only then), the website built if needed, migrated and seeded once.
/// </summary>
internal sealed class SiteDatabase : IAsyncDisposable
{
    private readonly string _pgScript;
    private readonly List<string> _pgArgs;
    private readonly Action<string> _say;
    private bool _startedPg;

    private SiteDatabase(Checkout checkout, List<string> pgArgs, Action<string> say)
    {
        Checkout = checkout;
        _pgArgs = pgArgs;
        _say = say;
        _pgScript = Path.Combine(checkout.Root, "eng", "pg.sh");
    }

    public Checkout Checkout { get; }

    /// <summary>Connection string straight to the cluster (no relay), for migrations, seeding and probes.</summary>
    public string DirectConnectionString { get; private set; } = "";

    public static async Task<SiteDatabase> PrepareAsync(int pgPort, string? pgDataDir, double seedScale, Action<string> say, CancellationToken ct)
    {
        var pgArgs = new List<string> { "--port", pgPort.ToString(CultureInfo.InvariantCulture) };
        if (pgDataDir is not null) pgArgs.AddRange(["--data", pgDataDir]);
        var db = new SiteDatabase(Checkout.Find(), pgArgs, say);
        try
        {
            await db.StartAsync(pgPort, seedScale, ct).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(int pgPort, double seedScale, CancellationToken ct)
    {
        try
        {
            await Checkout.RunAsync(_pgScript, ["status", .. _pgArgs], null, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            _say($"starting the private PostgreSQL on port {pgPort}...");
            await Checkout.RunAsync(_pgScript, ["start", .. _pgArgs], null, ct).ConfigureAwait(false);
            _startedPg = true;
        }

        if (!File.Exists(Checkout.WebsiteDll))
        {
            _say("building the website...");
            await Checkout.RunAsync("dotnet", ["build", Path.Combine(Checkout.Root, "apps", "Website"), "-c", "Release", "-v", "quiet", "-nologo"], null, ct).ConfigureAwait(false);
        }

        DirectConnectionString = (await Checkout.RunAsync(_pgScript, ["url", .. _pgArgs], null, ct).ConfigureAwait(false)).Trim();
        var env = new Dictionary<string, string> { ["ConnectionStrings__Main"] = DirectConnectionString };
        _say("migrating and seeding (once)...");
        await Checkout.RunAsync("dotnet", [Checkout.WebsiteDll, "migrate"], env, ct).ConfigureAwait(false);
        await Checkout.RunAsync("dotnet", [Checkout.WebsiteDll, "seed", "--scale", seedScale.ToString(CultureInfo.InvariantCulture)], env, ct).ConfigureAwait(false);
        SeededScale = await SeededScaleAsync(ct).ConfigureAwait(false);
        if (SeededScale < seedScale)
        {
            // Seeding happens once per database: an older, smaller seed stays. Said, because faults that scale with the
            // table (a dropped index) may then be too small to see.
            _say(string.Create(CultureInfo.InvariantCulture,
                $"note: this database was seeded at scale {SeededScale} (asked {seedScale}); a table-size fault (slow-query) may be too small to see. A fresh data directory (--pg-data) seeds at {seedScale}."));
        }
    }

    /// <summary>The scale the database was seeded at (seed_runs), 0 when never.</summary>
    public double SeededScale { get; private set; }

    private async Task<double> SeededScaleAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DirectConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(scale), 0) FROM seed_runs", connection);
        return Convert.ToDouble(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>How many of the website's seeded load-test users (user00001@lifeguard.local, ...) exist.</summary>
    public async Task<int> SeededUsersAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DirectConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM users WHERE email LIKE 'user%@lifeguard.local'", connection);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The website's connection string: through the relay on <paramref name="proxyPort"/>, with the given pool settings.</summary>
    public string SiteConnectionString(int proxyPort, int maxPoolSize, int timeoutSeconds) =>
        new NpgsqlConnectionStringBuilder(DirectConnectionString)
        {
            Port = proxyPort,
            MaxPoolSize = maxPoolSize,
            MinPoolSize = 0,
            Timeout = timeoutSeconds,
        }.ConnectionString;

    /// <summary>Settings a load-driving verb needs from the website: its login rate limit must admit every user it logs in.</summary>
    public static Dictionary<string, string> SiteSettings() => new()
    {
        ["Website__AccountPostPermitLimit"] = "100000",
    };

    /// <summary>Stops the cluster (fast shutdown: sessions are ended), as a restart or crash would: the restart fault.</summary>
    public Task StopServerAsync(CancellationToken ct) => Checkout.RunAsync(_pgScript, ["stop", .. _pgArgs], null, ct);

    /// <summary>Starts the cluster again after <see cref="StopServerAsync"/>.</summary>
    public Task StartServerAsync(CancellationToken ct) => Checkout.RunAsync(_pgScript, ["start", .. _pgArgs], null, ct);

    public async ValueTask DisposeAsync()
    {
        if (!_startedPg) return;
        _startedPg = false;
        _say("stopping the PostgreSQL this run started");
        await Checkout.RunAsync(_pgScript, ["stop", .. _pgArgs], null, CancellationToken.None).ConfigureAwait(false);
    }
}
