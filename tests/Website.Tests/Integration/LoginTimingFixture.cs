using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>
/// The site with a cheaper PBKDF2 (1,000 iterations instead of 100,000) for its hasher — stored hashes and the dummy
/// hash alike, since both come from that one hasher. The hash is pure CPU and stretches with every other process on a
/// shared 2-core machine; made cheap, it stops drowning what the timing test is after: work one case does and the
/// other does not (a database write, or a dummy hash made with other parameters, which would now stand out 100-fold).
/// </summary>
public sealed class LoginTimingFixture : SiteFixture
{
    public const int Iterations = 1_000;

    internal override void ConfigureServices(IServiceCollection services) =>
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = Iterations);
}
