using Incidents.Domain;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Incidents.Escalations;

/// <summary>
/// Sends one delivery: a webhook or Slack POST, or an e-mail through the configured SMTP server. Returns null on success,
/// else why not — in words that carry no part of the destination: a channel's URL is a secret (its path and query are the
/// credential), and the reason ends up in the timeline, the API and the postmortem that every reader sees.
/// </summary>
public sealed class NotificationSender(IHttpClientFactory http, IOptions<IncidentsOptions> options)
{
    /// <summary>The named HttpClient for webhooks.</summary>
    public const string HttpClientName = "channels";

    /// <summary>Sends; null when delivered, else the reason it failed.</summary>
    public async Task<string?> SendAsync(ChannelKind kind, string destination, Notification n, CancellationToken ct)
    {
        var opts = options.Value.Escalation;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(opts.DeliveryTimeout);
        try
        {
            if (kind == ChannelKind.Email)
            {
                using var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse(opts.MailFrom));
                foreach (var to in destination.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) message.To.Add(MailboxAddress.Parse(to));
                if (n.DeliveryKey is not null) message.MessageId = n.DeliveryKey + "@lifeguard-incidents";
                message.Subject = MessageTemplate.Subject(n);
                message.Body = new TextPart("plain") { Text = MessageTemplate.Text(n) };
                using var smtp = new SmtpClient();
                await smtp.ConnectAsync(opts.SmtpHost, opts.SmtpPort, SecureSocketOptions.None, cts.Token);
                await smtp.SendAsync(message, cts.Token);
                await smtp.DisconnectAsync(true, cts.Token);
                return null;
            }

            using var client = http.CreateClient(HttpClientName);
            var body = kind == ChannelKind.Slack ? MessageTemplate.Slack(n) : MessageTemplate.Webhook(n);
            // a buffered body with Content-Length: some receivers (and simple HTTP servers) refuse chunked requests
            using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(destination)) { Content = content };
            if (n.DeliveryKey is not null) request.Headers.Add("Idempotency-Key", n.DeliveryKey);
            using var response = await client.SendAsync(request, cts.Token);
            return response.IsSuccessStatusCode ? null : $"the receiver answered HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {opts.DeliveryTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException or ParseException)
        {
            // the exception's message names host, port and sometimes the URL: only its kind goes out
            return FailureReason(ex);
        }
    }

    /// <summary>A reader-safe reason for a transport failure: what went wrong, never where.</summary>
    internal static string FailureReason(Exception ex) => ex switch
    {
        SmtpCommandException smtp => $"the mail server refused the message (SMTP {(int)smtp.StatusCode})",
        SmtpProtocolException => "the mail server broke the SMTP conversation",
        ParseException => "an address of the recipient is not valid",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "the receiver's host name did not resolve",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "the receiver could not be reached",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "the TLS handshake with the receiver failed",
        System.Net.Sockets.SocketException => "the receiver could not be reached",
        _ => "the connection to the receiver failed",
    };
}
