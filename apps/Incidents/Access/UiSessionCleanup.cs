using System.Data.Common;
using Lifeguard.Kit;

namespace Incidents.Access;

/// <summary>The UI's <see cref="LoginCleanup"/>: deletes expired <c>ui_sessions</c> and forgotten failed-login counters
/// (the website's interval and retention defaults; the UI's traffic is a few people).</summary>
internal sealed class UiSessionCleanup(DbDataSource db, TimeProvider time, ILogger<UiSessionCleanup> logger) : LoginCleanup(db, time, logger)
{
    /// <inheritdoc />
    protected override string SessionsTable => "ui_sessions";

    /// <inheritdoc />
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    protected override TimeSpan FailedLoginRetention => TimeSpan.FromDays(1);
}
