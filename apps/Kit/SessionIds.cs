using System.Buffers.Text;
using System.Security.Cryptography;

namespace Lifeguard.Kit;

/// <summary>
/// Ids of server-side sessions: 256 random bits, carried by the cookie as base64url; the database keeps only their
/// SHA-256, so a copy of the sessions table opens no session.
/// </summary>
public static class SessionIds
{
    private const int IdBytes = 32;

    /// <summary>A fresh id: the key for the cookie and the hash to store.</summary>
    public static (string Key, byte[] Hash) New()
    {
        var id = RandomNumberGenerator.GetBytes(IdBytes);
        return (Base64Url.EncodeToString(id), SHA256.HashData(id));
    }

    /// <summary>The stored hash for a cookie's key, or null when the key is not one this class could have made.</summary>
    public static byte[]? HashOf(string? key)
    {
        Span<byte> id = stackalloc byte[IdBytes];
        return key is { Length: 43 } && Base64Url.IsValid(key) && Base64Url.TryDecodeFromChars(key, id, out var written) && written == IdBytes
            ? SHA256.HashData(id)
            : null;
    }
}
