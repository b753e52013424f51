using System.Security.Claims;
using Incidents.Access;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;

namespace Incidents.Pages.Account;

/// <summary>The UI's login (the kit's <see cref="LoginPageModel"/>): lands on the incident list; every attempt is audited.</summary>
[AllowAnonymous]
[EnableRateLimiting(IncidentsApp.LoginRateLimit)]
public sealed class LoginModel(UserStore users) : LoginPageModel
{
    /// <inheritdoc />
    protected override string LandingPage => "/";

    /// <inheritdoc />
    protected override async Task<ClaimsPrincipal?> CheckAsync(string email, string password, CancellationToken ct)
    {
        var role = await users.CheckAsync(email, password, ct);
        await users.AuditLoginAsync(email, role is not null, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        if (role is null) return null;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, UserStore.Normalize(email)), new Claim(ClaimTypes.Role, role)], CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(identity);
    }
}
