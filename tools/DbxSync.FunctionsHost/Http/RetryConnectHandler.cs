using System.Net.Sockets;

namespace DbxSync.FunctionsHost.Http;

/// <summary>
/// Retries a forward whose connection to the worker could not be made, as the real host's RetryProxyHandler does
/// (up to 10 attempts, 50 ms growing to 250 ms): a worker may report ready a moment before its Kestrel accepts.
/// Only connect failures are retried; nothing of the request has been sent then.
/// </summary>
public sealed class RetryConnectHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxAttempts = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException exception) when (attempt < MaxAttempts && exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                await Task.Delay(Math.Min(250, 50 * attempt), cancellationToken);
            }
        }
    }
}
