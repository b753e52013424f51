using Lifeguard.Kit;
using Microsoft.AspNetCore.Authorization;

namespace Incidents.Pages.Account;

/// <summary>The UI's logout (the kit's <see cref="LogoutPageModel"/>); anonymous, so an expired session can still press it.</summary>
[AllowAnonymous]
public sealed class LogoutModel : LogoutPageModel;
