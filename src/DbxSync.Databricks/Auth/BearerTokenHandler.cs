using System.Net;
using System.Net.Http.Headers;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Auth;

/// <summary>
/// Adds the bearer token. When the workspace rejects a refreshable token (401, or 403 "Invalid access token.",
/// e.g. revoked early), drops it and tries exactly once more with a fresh one.
/// </summary>
internal sealed class BearerTokenHandler(TokenProvider tokens, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in await tokens.GetExtraHeadersAsync(cancellationToken).ConfigureAwait(false))
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!tokens.CanRefresh || !RequestPolicy.CanReplayBody(request) || !await IsRejectedTokenAsync(response, cancellationToken).ConfigureAwait(false))
            return response;

        tokens.Invalidate(token);
        var fresh = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> IsRejectedTokenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized) return true;
        if (response.StatusCode != HttpStatusCode.Forbidden) return false;
        // Buffer the small error body so the error parser can still read it after this peek.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var reason = response.Headers.TryGetValues("x-databricks-reason-phrase", out var v) ? v.FirstOrDefault() : null;
        return DatabricksErrorParser.IsInvalidTokenMessage(body) || DatabricksErrorParser.IsInvalidTokenMessage(reason);
    }
}
