using Lifeguard.Kit;

namespace Website.Pages.Account;

/// <summary>The site's logout (the kit's <see cref="LogoutPageModel"/>).</summary>
public sealed class LogoutModel : LogoutPageModel;
