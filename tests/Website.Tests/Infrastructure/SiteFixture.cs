using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Website.Tests.Infrastructure;

/// <summary>
/// Per test class: its own database (migrated, known data set inserted) and its own running site whose clock
/// is fixed at <see cref="KnownDataSet.Now"/>. Subclasses change settings or the environment.
/// </summary>
public class SiteFixture : IAsyncLifetime
{
    private TestDatabase? _db;
    private RunningSite? _site;
    private KnownDataSet? _data;

    internal FakeTimeProvider Clock { get; } = new(KnownDataSet.Now);

    internal TestDatabase Db => _db ?? throw new InvalidOperationException("not started");

    internal RunningSite Site => _site ?? throw new InvalidOperationException("not started");

    internal KnownDataSet Data => _data ?? throw new InvalidOperationException("not started");

    internal virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    internal virtual string Environment => "Production";

    /// <summary>Extra service registrations for the site under test (after the site's own).</summary>
    internal virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _data = await KnownDataSet.InsertAsync(_db);
        _site = await RunningSite.StartAsync(_db.ConnectionString, Settings, Clock, Environment, ConfigureServices);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    internal SiteClient NewClient() => Site.NewClient();

    internal async Task<SiteClient> LoggedInAsync(string email)
    {
        var client = NewClient();
        using var r = await client.LoginAsync(email, KnownDataSet.Password);
        r.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, $"login of {email} failed");
        return client;
    }
}
