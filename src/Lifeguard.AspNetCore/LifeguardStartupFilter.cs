using Lifeguard.AspNetCore.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Lifeguard.AspNetCore;

/// <summary>Adds the management listener and puts the management token check and <see cref="LifeguardMiddleware"/>
/// in front of the app's pipeline, so the website needs no Use call.</summary>
internal sealed class LifeguardStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var address = app.ApplicationServices.GetRequiredService<LifeguardManagementAddress>();
        ManagementListener.Add(app.ServerFeatures, address);
        if (address.RequiresToken) app.UseMiddleware<ManagementAccessMiddleware>();
        app.UseMiddleware<LifeguardMiddleware>();
        next(app);
    };
}
