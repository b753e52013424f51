namespace Lifeguard.Tests;

public sealed class ToolchainTests
{
    // Guards the shared build settings every project relies on.
    [Fact]
    public void Build_NullableAndWarningsAsErrors_AreOnForTheCoreAssembly()
    {
        var attr = typeof(ToolchainTests).Assembly.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false);
        attr.ShouldNotBeEmpty();
        ((System.Runtime.Versioning.TargetFrameworkAttribute)attr[0]).FrameworkName.ShouldContain("v10.0");
    }
}
