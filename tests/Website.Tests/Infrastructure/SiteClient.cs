namespace Website.Tests.Infrastructure;

/// <summary>A browser-like client of the site (<see cref="FormClient"/>) that can also register.</summary>
internal sealed class SiteClient(Uri baseAddress) : FormClient(baseAddress)
{
    public Task<HttpResponseMessage> RegisterAsync(string email, string password) =>
        PostFormAsync("/account/register", [new("Email", email), new("Password", password)]);
}
