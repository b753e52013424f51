namespace Website;

/// <summary>Names of the rate-limiter policies.</summary>
public static class RateLimitPolicies
{
    /// <summary>Login and registration POSTs, partitioned by client IP.</summary>
    public const string AccountPost = "account-post";
}
