using System.Security.Cryptography;
using System.Text;

namespace Lifeguard.Postgres.Pooler;

/// <summary>The client side of SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL and PgBouncer use it: no channel binding, the
/// user name left empty in the messages (the startup message carries it). The password is used as given (no SASLprep):
/// ASCII passwords, which is what pooler admin users have, are unchanged by it.</summary>
internal sealed class ScramSha256
{
    public const string Mechanism = "SCRAM-SHA-256";

    private readonly string _password;
    private readonly string _clientNonce;
    private string? _authMessage;
    private byte[]? _saltedPassword;

    public ScramSha256(string password, string? clientNonce = null)
    {
        _password = password;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    }

    private string ClientFirstBare => "n=,r=" + _clientNonce;

    /// <summary>client-first-message: gs2 header "n,," (no channel binding) and the bare part.</summary>
    public string ClientFirst() => "n,," + ClientFirstBare;

    /// <summary>client-final-message with the proof, from the server-first-message (r=, s=, i=).</summary>
    public string ClientFinal(string serverFirst)
    {
        var fields = serverFirst.Split(',').Where(f => f.Length > 2 && f[1] == '=').ToDictionary(f => f[0], f => f[2..]);
        if (!fields.TryGetValue('r', out var nonce) || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal)
            || !fields.TryGetValue('s', out var salt) || !fields.TryGetValue('i', out var iterationText) || !int.TryParse(iterationText, out var iterations) || iterations < 1)
            throw new InvalidOperationException("The pooler's SCRAM server-first-message is not valid (nonce, salt or iteration count).");
        var withoutProof = "c=biws,r=" + nonce;
        _authMessage = ClientFirstBare + "," + serverFirst + "," + withoutProof;
        _saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(_saltedPassword, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var signature = HMACSHA256.HashData(storedKey, Encoding.UTF8.GetBytes(_authMessage));
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++) proof[i] = (byte)(clientKey[i] ^ signature[i]);
        return withoutProof + ",p=" + Convert.ToBase64String(proof);
    }

    /// <summary>Whether the server-final-message (v=) proves the server knows the password too.</summary>
    public bool VerifyServerFinal(string serverFinal)
    {
        if (_saltedPassword is null || _authMessage is null || !serverFinal.StartsWith("v=", StringComparison.Ordinal)) return false;
        var serverKey = HMACSHA256.HashData(_saltedPassword, "Server Key"u8);
        var expected = HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes(_authMessage));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(serverFinal[2..].Split(',')[0]);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
