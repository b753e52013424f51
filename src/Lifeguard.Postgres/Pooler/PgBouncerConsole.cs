using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Lifeguard.Postgres.Pooler;

/// <summary>
/// One connection to PgBouncer's admin console, speaking the simple-query protocol itself: the console refuses the
/// extended protocol Npgsql always uses (npgsql#3294), and running psql would make a client package a run-time need.
/// Startup, authentication (cleartext, md5, SCRAM-SHA-256), Query, and the rows of RowDescription/DataRow as text; no TLS
/// (the console is on the pooler's host). Not thread-safe: one query at a time.
/// </summary>
internal sealed class PgBouncerConsole : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream = Stream.Null;
    private readonly byte[] _header = new byte[5];

    private PgBouncerConsole(TcpClient tcp, string endpoint)
    {
        _tcp = tcp;
        Endpoint = endpoint;
    }

    /// <summary>host:port, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>The database the console is named by when the connection string names none.</summary>
    public const string ConsoleDatabase = "pgbouncer";

    /// <summary>Connects and logs in with the string's Host, Port, Username, Password, Database (default pgbouncer) and Timeout.</summary>
    /// <exception cref="InvalidOperationException">The console cannot be reached, asks for TLS or an unsupported
    /// authentication, or refuses the login (its message and SQLSTATE).</exception>
    public static async Task<PgBouncerConsole> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException("The pooler's admin console connection string is not valid: " + e.Message, e);
        }
        if (b.SslMode is SslMode.Require or SslMode.VerifyCA or SslMode.VerifyFull)
            throw new InvalidOperationException($"The pooler's admin console client does not speak TLS (SSL Mode={b.SslMode}): reach the console on its host or over a trusted network.");
        var host = string.IsNullOrEmpty(b.Host) ? "localhost" : b.Host.Split(',')[0];
        if (host.StartsWith('/')) throw new InvalidOperationException($"The pooler's admin console client connects over TCP; '{host}' is a Unix socket directory: give the pooler's listen_addr.");
        var endpoint = string.Create(CultureInfo.InvariantCulture, $"{host}:{b.Port}");
        var user = string.IsNullOrEmpty(b.Username) ? Environment.UserName : b.Username;
        var database = string.IsNullOrEmpty(b.Database) ? ConsoleDatabase : b.Database;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, b.Timeout)));
        var tcp = new TcpClient { NoDelay = true };
        var console = new PgBouncerConsole(tcp, endpoint);
        try
        {
            await tcp.ConnectAsync(host, b.Port, timeout.Token).ConfigureAwait(false);
            console._stream = new BufferedStream(tcp.GetStream(), 16 * 1024);
            await console.LoginAsync(user, b.Password, database, timeout.Token).ConfigureAwait(false);
            return console;
        }
        catch (Exception e) when (e is SocketException or IOException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await console.DisposeAsync().ConfigureAwait(false);
            var why = e is OperationCanceledException ? $"no answer within {Math.Max(1, b.Timeout)} s" : e.Message;
            throw new InvalidOperationException($"Cannot reach the pooler's admin console at {endpoint}: {why}", e);
        }
        catch
        {
            await console.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one simple query (e.g. SHOW POOLS) and returns its rows as text, column names from RowDescription.</summary>
    /// <exception cref="InvalidOperationException">The console answered with an error (its message and SQLSTATE).</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    public async Task<ConsoleResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var text = Encoding.UTF8.GetBytes(sql);
        var message = new byte[1 + 4 + text.Length + 1];
        message[0] = (byte)'Q';
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + text.Length + 1);
        text.CopyTo(message, 5);
        await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var columns = new List<string>();
        var rows = new List<string?[]>();
        string? error = null;
        while (true)
        {
            var (type, body) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case 'T':
                    columns.Clear();
                    columns.AddRange(RowDescription(body));
                    break;
                case 'D':
                    rows.Add(DataRow(body));
                    break;
                case 'E':
                    error = ErrorText(body);
                    break;
                case 'Z':
                    if (error is not null) throw new InvalidOperationException($"{sql} on the pooler's admin console at {Endpoint}: {error}");
                    return new ConsoleResult(columns, rows);
                default:
                    break; // CommandComplete, EmptyQueryResponse, notices, parameter status: nothing to keep
            }
        }
    }

    private async Task LoginAsync(string user, string? password, string database, CancellationToken ct)
    {
        var startup = new MemoryStream();
        startup.Write(new byte[8]);
        foreach (var (key, value) in new[] { ("user", user), ("database", database), ("application_name", "lifeguard-pooler-reader") })
        {
            WriteCString(startup, key);
            WriteCString(startup, value);
        }
        startup.WriteByte(0);
        var bytes = startup.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 196608); // protocol 3.0
        await SendAsync(bytes, ct).ConfigureAwait(false);

        ScramSha256? scram = null;
        while (true)
        {
            var (type, body) = await ReadMessageAsync(ct).ConfigureAwait(false);
            switch (type)
            {
                case 'E':
                    throw new InvalidOperationException($"The pooler's admin console at {Endpoint} refused user '{user}' on database '{database}': {ErrorText(body)}");
                case 'Z':
                    return;
                case 'R':
                    var code = BinaryPrimitives.ReadInt32BigEndian(body);
                    switch (code)
                    {
                        case 0:
                            break; // authenticated; parameters and ReadyForQuery follow
                        case 3:
                            await SendPasswordAsync(Encoding.UTF8.GetBytes(Password(password, user, "cleartext")), ct).ConfigureAwait(false);
                            break;
                        case 5:
                            await SendPasswordAsync(Encoding.ASCII.GetBytes(Md5Password(user, Password(password, user, "md5"), body.AsSpan(4, 4))), ct).ConfigureAwait(false);
                            break;
                        case 10:
                            var mechanisms = CStrings(body.AsSpan(4));
                            if (!mechanisms.Contains(ScramSha256.Mechanism))
                                throw new InvalidOperationException($"The pooler's admin console at {Endpoint} offers SASL {string.Join(", ", mechanisms)}; only {ScramSha256.Mechanism} is supported.");
                            scram = new ScramSha256(Password(password, user, "SCRAM-SHA-256"));
                            await SendSaslInitialAsync(scram.ClientFirst(), ct).ConfigureAwait(false);
                            break;
                        case 11:
                            var final = (scram ?? throw Protocol("SASL continue before SASL start")).ClientFinal(Encoding.UTF8.GetString(body.AsSpan(4)));
                            await SendPasswordAsync(Encoding.UTF8.GetBytes(final), ct).ConfigureAwait(false);
                            break;
                        case 12:
                            if (scram is null || !scram.VerifyServerFinal(Encoding.UTF8.GetString(body.AsSpan(4))))
                                throw new InvalidOperationException($"The pooler's admin console at {Endpoint} sent a SCRAM server signature that does not match: not the pooler configured, or a man in the middle.");
                            break;
                        default:
                            throw new InvalidOperationException($"The pooler's admin console at {Endpoint} asks for authentication method {code}; supported: cleartext, md5, SCRAM-SHA-256.");
                    }
                    break;
                default:
                    break; // ParameterStatus, BackendKeyData, notices
            }
        }
    }

    private string Password(string? password, string user, string method) =>
        password ?? throw new InvalidOperationException($"The pooler's admin console at {Endpoint} asks user '{user}' for a password ({method}) and the connection string gives none.");

    private Task SendPasswordAsync(byte[] payload, CancellationToken ct)
    {
        var message = new byte[1 + 4 + payload.Length + 1];
        message[0] = (byte)'p';
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + payload.Length + 1);
        payload.CopyTo(message, 5);
        return SendAsync(message, ct);
    }

    private Task SendSaslInitialAsync(string clientFirst, CancellationToken ct)
    {
        var mechanism = Encoding.ASCII.GetBytes(ScramSha256.Mechanism);
        var data = Encoding.UTF8.GetBytes(clientFirst);
        var length = 4 + mechanism.Length + 1 + 4 + data.Length;
        var message = new byte[1 + length];
        message[0] = (byte)'p';
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), length);
        mechanism.CopyTo(message, 5);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(5 + mechanism.Length + 1), data.Length);
        data.CopyTo(message, 5 + mechanism.Length + 1 + 4);
        return SendAsync(message, ct);
    }

    private async Task SendAsync(byte[] message, CancellationToken ct)
    {
        await _stream.WriteAsync(message, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task<(char Type, byte[] Body)> ReadMessageAsync(CancellationToken ct)
    {
        await _stream.ReadExactlyAsync(_header, ct).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        // SHOW output is small; a length outside this range is not PostgreSQL's protocol (another service on that port).
        if (length is < 4 or > 64 * 1024 * 1024) throw Protocol($"message length {length}");
        var body = new byte[length - 4];
        await _stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        return ((char)_header[0], body);
    }

    private InvalidOperationException Protocol(string what) =>
        new($"The pooler's admin console at {Endpoint} does not speak PostgreSQL's protocol as expected ({what}): is it PgBouncer's listen port?");

    private static List<string> RowDescription(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var names = new List<string>(count);
        var at = 2;
        for (var i = 0; i < count; i++)
        {
            var end = Array.IndexOf(body, (byte)0, at);
            names.Add(Encoding.UTF8.GetString(body, at, end - at));
            at = end + 1 + 18; // table oid, column, type oid, size, modifier, format
        }
        return names;
    }

    private static string?[] DataRow(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var values = new string?[count];
        var at = 2;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
            at += 4;
            if (length < 0) continue;
            values[i] = Encoding.UTF8.GetString(body, at, length);
            at += length;
        }
        return values;
    }

    // ErrorResponse: (code byte, text) fields; severity S, SQLSTATE C, message M.
    private static string ErrorText(byte[] body)
    {
        string? code = null, message = null;
        var at = 0;
        while (at < body.Length && body[at] != 0)
        {
            var field = (char)body[at];
            var end = Array.IndexOf(body, (byte)0, at + 1);
            if (end < 0) break;
            var value = Encoding.UTF8.GetString(body, at + 1, end - at - 1);
            if (field == 'C') code = value;
            else if (field == 'M') message = value;
            at = end + 1;
        }
        return code is null ? message ?? "(no message)" : $"{code} {message}";
    }

    private static List<string> CStrings(ReadOnlySpan<byte> span)
    {
        var list = new List<string>();
        while (span.Length > 0 && span[0] != 0)
        {
            var end = span.IndexOf((byte)0);
            if (end < 0) break;
            list.Add(Encoding.UTF8.GetString(span[..end]));
            span = span[(end + 1)..];
        }
        return list;
    }

    private static void WriteCString(Stream s, string value)
    {
        s.Write(Encoding.UTF8.GetBytes(value));
        s.WriteByte(0);
    }

    // PostgreSQL's md5 scheme: "md5" + md5hex(md5hex(password + user) + salt).
    internal static string Md5Password(string user, string password, ReadOnlySpan<byte> salt)
    {
#pragma warning disable CA5351 // the protocol's own scheme; the pooler chose it
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]);
#pragma warning restore CA5351
        return "md5" + Convert.ToHexStringLower(outer);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tcp.Connected) await SendAsync([(byte)'X', 0, 0, 0, 4], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // already gone
        }
        _tcp.Dispose();
    }
}
