using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Lifeguard.Kit;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Incidents.Access;

/// <summary>
/// The key-encryption key for the Data Protection key ring (<c>Incidents:KeyEncryptionKeyFile</c>): the ring lives in
/// the service's database so every replica shares it, and whoever could read that table in clear could mint a
/// responder's cookie. Encrypted with AES-256-GCM under a key from a file that is not in the database, a dump or a
/// read-only role sees only ciphertext.
/// </summary>
public sealed class KeyEncryptionKey
{
    /// <summary>Fewest characters the file must hold (a 32-byte random value in base64 has 44).</summary>
    public const int MinLength = 32;

    internal KeyEncryptionKey(byte[] key) => Key = key;

    internal byte[] Key { get; }

    /// <summary>Reads the file; its trimmed text, hashed with SHA-256, is the AES key. One-line startup errors for a missing, unreadable or short file.</summary>
    public static KeyEncryptionKey FromFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new StartupConfigurationException(
                "Incidents:KeyEncryptionKeyFile is not set: the cookie-signing keys in the database must be encrypted (create one: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE).");
        }

        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"Incidents:KeyEncryptionKeyFile cannot be read ({ex.GetType().Name}).");
        }

        return text.Length < MinLength
            ? throw new StartupConfigurationException($"Incidents:KeyEncryptionKeyFile must hold at least {MinLength} characters of random text.")
            : new KeyEncryptionKey(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>Encrypts a key element: AES-GCM, a fresh nonce per element, stored as base64(nonce | tag | ciphertext).</summary>
public sealed class KeyEncryptionKeyEncryptor(KeyEncryptionKey kek) : IXmlEncryptor
{
    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(kek.Key, tag.Length)) aes.Encrypt(nonce, plain, cipher, tag);
        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement("encryptedKey",
            new XComment(" AES-256-GCM under Incidents:KeyEncryptionKeyFile "),
            new XElement("value", Convert.ToBase64String([.. nonce, .. tag, .. cipher])));
        return new EncryptedXmlInfo(element, typeof(KeyEncryptionKeyDecryptor));
    }
}

/// <summary>Decrypts what <see cref="KeyEncryptionKeyEncryptor"/> wrote; a wrong key fails loudly (the tag does not match).</summary>
public sealed class KeyEncryptionKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var kek = (KeyEncryptionKey?)services.GetService(typeof(KeyEncryptionKey))
            ?? throw new InvalidOperationException("no key-encryption key is configured (Incidents:KeyEncryptionKeyFile)");
        var all = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? throw new CryptographicException("no value in the encrypted key"));
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        if (all.Length < nonceSize + tagSize) throw new CryptographicException("the encrypted key is too short");
        var plain = new byte[all.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(kek.Key, tagSize))
        {
            aes.Decrypt(all.AsSpan(0, nonceSize), all.AsSpan(nonceSize + tagSize), all.AsSpan(nonceSize, tagSize), plain);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}

/// <summary>
/// At start: the key ring's encrypted keys must open with the configured key-encryption key. A replaced or wrong file
/// would otherwise be noticed only as every cookie and form failing; this names it in one line instead.
/// </summary>
internal static class KeyRingCheck
{
    /// <summary>Throws <see cref="StartupConfigurationException"/> when a stored key does not decrypt; a database that is not
    /// reachable yet is not checked (the service starts and reads the ring when it can).</summary>
    public static void Verify(System.Data.Common.DbDataSource db, KeyEncryptionKey kek)
    {
        IReadOnlyList<string> rows;
        try
        {
            using var conn = db.OpenConnection();
            rows = Dapper.SqlMapper.Query<string>(conn, "SELECT xml FROM data_protection_keys WHERE xml LIKE '%encryptedKey%'").ToList();
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException)
        {
            return;
        }

        var decryptor = new KeyEncryptionKeyDecryptor(new SingleService(kek));
        foreach (var xml in rows)
        {
            var encrypted = XElement.Parse(xml).Descendants("encryptedKey").FirstOrDefault();
            if (encrypted is null) continue;
            try
            {
                decryptor.Decrypt(encrypted);
            }
            catch (CryptographicException)
            {
                throw new StartupConfigurationException(
                    "Incidents:KeyEncryptionKeyFile does not decrypt the key ring stored in the database: it is not the file the keys were written with (restore it, or delete the rows of data_protection_keys to start a new ring; everyone logs in again).");
            }
        }
    }

    private sealed class SingleService(KeyEncryptionKey kek) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(KeyEncryptionKey) ? kek : null;
    }
}
