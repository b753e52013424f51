using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Lifeguard.Attribution;

/// <summary>The ambient operation (route, job, command) that leases are attributed to; flows with async calls.</summary>
public static class LifeguardOperation
{
    private static readonly AsyncLocal<object?> s_current = new();

    /// <summary>The current operation name: the innermost <see cref="Begin(string)"/>, else <see cref="Activity.Current"/>'s display name, else null.</summary>
    public static string? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // Read on every guarded open: the common cases are tested first and without pattern matching.
            var value = s_current.Value;
            if (value is null) return Activity.Current?.DisplayName;
            if (value.GetType() == typeof(string)) return Unsafe.As<string>(value);
            return Unsafe.As<OperationNameSource>(value).GetName() ?? Activity.Current?.DisplayName;
        }
    }

    /// <summary>Names the operation until the returned scope is disposed.</summary>
    public static OperationScope Begin(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Push(name);
    }

    /// <summary>Names the operation lazily through <paramref name="source"/> until the returned scope is disposed.</summary>
    public static OperationScope Begin(OperationNameSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Push(source);
    }

    private static OperationScope Push(object value)
    {
        var previous = s_current.Value;
        s_current.Value = value;
        return new OperationScope(previous);
    }

    internal static void Restore(object? previous) => s_current.Value = previous;
}
