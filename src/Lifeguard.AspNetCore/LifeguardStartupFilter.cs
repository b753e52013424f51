using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Lifeguard.AspNetCore;

/// <summary>Puts <see cref="LifeguardMiddleware"/> in front of the app's pipeline, so the website needs no Use call.</summary>
internal sealed class LifeguardStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<LifeguardMiddleware>();
        next(app);
    };
}
