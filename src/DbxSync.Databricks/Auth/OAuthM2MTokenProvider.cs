using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Auth;

/// <summary>
/// OAuth machine-to-machine (client credentials) against the workspace's token endpoint, found once through host
/// metadata and OIDC discovery (OidcEndpointDiscovery). One token is cached and renewed ahead of expiry; however
/// many callers arrive at once, one request is in flight.
/// </summary>
public sealed class OAuthM2MTokenProvider : TokenProvider
{
    private static readonly string[] CredentialErrors = ["invalid_client", "unauthorized_client", "invalid_request", "invalid_grant"];

    private readonly Uri _workspace;
    private readonly OidcEndpointDiscovery _discovery;
    private Uri? _tokenEndpoint;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly HttpMessageInvoker _transport;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshMargin;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile CachedToken? _cached;

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt);

    /// <param name="workspaceBaseUri">Must come from <paramref name="validator"/>.</param>
    /// <param name="transport">Sends discovery and token requests; must not add an Authorization header of its own.</param>
    /// <param name="validator">Judges discovered endpoints that are not on the workspace's own origin.</param>
    public OAuthM2MTokenProvider(Uri workspaceBaseUri, string clientId, string clientSecret, HttpMessageInvoker transport, WorkspaceUrlValidator validator,
        TimeProvider? timeProvider = null, TimeSpan? refreshMargin = null)
    {
        if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("The OAuth client id is empty.", nameof(clientId));
        if (string.IsNullOrEmpty(clientSecret)) throw new ArgumentException("The OAuth client secret is empty.", nameof(clientSecret));
        _workspace = workspaceBaseUri;
        _discovery = new OidcEndpointDiscovery(workspaceBaseUri, transport, validator);
        _clientId = clientId;
        _clientSecret = clientSecret;
        _transport = transport;
        _time = timeProvider ?? TimeProvider.System;
        _refreshMargin = refreshMargin ?? TimeSpan.FromMinutes(5);
    }

    public override bool CanRefresh => true;

    public override bool IssuedByWorkspace => true;

    /// <summary>Number of token requests sent; lets tests and diagnostics see the cache working.</summary>
    public int TokenRequestCount => _requestCount;
    private int _requestCount;

    public override async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var cached = _cached;
        if (cached is not null && _time.GetUtcNow() < cached.RefreshAt) return cached.Value;

        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before us may have refreshed already.
            cached = _cached;
            if (cached is not null && _time.GetUtcNow() < cached.RefreshAt) return cached.Value;
            var fresh = await RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            _cached = fresh;
            return fresh.Value;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    public override void Invalidate(string rejectedToken)
    {
        var cached = _cached;
        if (cached is not null && cached.Value == rejectedToken)
            Interlocked.CompareExchange(ref _cached, null, cached);
    }

    /// <summary>The endpoint the secret is sent to; discovered on first use (a failed discovery is retried next time).</summary>
    public Uri? TokenEndpoint => _tokenEndpoint;

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var endpoint = _tokenEndpoint ??= await _discovery.FindTokenEndpointAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _requestCount);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "all-apis")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(_clientId) + ":" + Uri.EscapeDataString(_clientSecret))));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // Asking for a token twice is harmless, so network errors and 502/504 may be retried too.
        request.Options.Set(RequestPolicy.Resend, ResendPolicy.Idempotent);
        request.Options.Set(RequestPolicy.Operation, "token request");

        var requestedAt = _time.GetUtcNow();
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await DatabricksErrorParser.ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw TokenError(response, body);

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var token = root.GetProperty("access_token").GetString();
            if (string.IsNullOrEmpty(token)) throw new JsonException("access_token is empty");
            var lifetime = TimeSpan.FromSeconds(ReadExpiresIn(root) ?? 3600);
            var margin = _refreshMargin < lifetime / 2 ? _refreshMargin : lifetime / 2;
            var expiresAt = requestedAt + lifetime;
            return new CachedToken(token, expiresAt - margin, expiresAt);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other,
                $"The token endpoint of {endpoint.Authority} answered with an unreadable token response for client '{_clientId}'.", (int)response.StatusCode);
        }
    }

    /// <summary>expires_in is a number per RFC 6749 but some servers send it as a string.</summary>
    private static double? ReadExpiresIn(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var e)) return null;
        if (e.ValueKind == JsonValueKind.Number) return e.GetDouble();
        if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }

    private DatabricksRequestFailedException TokenError(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var requestId = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.FirstOrDefault() : null;
        var parsed = DatabricksErrorParser.ParseBody(body);
        var code = parsed.ErrorCode;
        // The description may quote the client id, never the secret; redaction also strips any echoed header.
        var detail = SensitiveText.Redact(parsed.Message ?? response.ReasonPhrase ?? "no details").Replace(_clientSecret, "[redacted]");
        if ((code is not null && CredentialErrors.Contains(code)) || status == 401)
            return new DatabricksRequestFailedException(WorkspaceErrorKind.InvalidCredentials,
                $"The workspace {_workspace.Authority} refused the OAuth client '{_clientId}' ({code ?? status.ToString(CultureInfo.InvariantCulture)}: {detail}). Check the client id and secret and that the service principal is added to the workspace.",
                status, code, requestId: requestId);
        var error = DatabricksErrorParser.Create(status, code, detail, parsed.Reason, requestId, $"token request for client '{_clientId}'");
        return error;
    }

    public override string ToString() => $"OAuthM2MTokenProvider({_clientId} @ {_workspace.Authority})";
}
