using Microsoft.AspNetCore.Http;
using Website.Errors;

namespace Website.Tests.Unit.Errors;

public sealed class ErrorPageTests
{
    [Fact]
    public async Task WriteAsync_503WithRetryAfterAlreadySet_KeepsIt()
    {
        // Admission control sets its own Retry-After (Lifeguard:AdmissionRetryAfter); the page must not replace it.
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.Response.Headers.RetryAfter = "1";

        await ErrorPage.WriteAsync(context, 503);

        context.Response.StatusCode.ShouldBe(503);
        context.Response.Headers.RetryAfter.ToString().ShouldBe("1");
    }

    [Fact]
    public async Task WriteAsync_503WithoutRetryAfter_AdvisesFiveSeconds()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await ErrorPage.WriteAsync(context, 503);

        context.Response.Headers.RetryAfter.ToString().ShouldBe("5");
    }
}
