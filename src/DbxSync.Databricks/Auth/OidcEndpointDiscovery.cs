using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Auth;

/// <summary>
/// Finds a workspace's OAuth token endpoint the way the official SDKs do, without credentials:
/// 1. GET {host}/.well-known/databricks-config -> oidc_endpoint (the OIDC root), substituting {account_id};
///    when that document is missing (older workspaces) or unusable, the root is {host}/oidc
///    (databricks-sdk-py config.py _resolve_host_metadata l. 631, best effort; databricks-sdk-go config/config.go
///    resolveHostMetadata and getOidcEndpoints, whose fallback is GetWorkspaceOAuthEndpoints = {host}/oidc/...);
/// 2. GET {root}/.well-known/oauth-authorization-server -> token_endpoint (sdk-py oauth.py get_endpoints_from_url;
///    sdk-go credentials/u2m/endpoint_supplier.go). A 404 there leaves the documented {root}/v1/token.
/// The client secret goes to the endpoint found, so every URL taken from a response must stay on the workspace's own
/// origin or pass WorkspaceUrlValidator like a workspace URL; anything else is refused before a byte is sent.
/// </summary>
internal sealed class OidcEndpointDiscovery(Uri workspaceBaseUri, HttpMessageInvoker transport, WorkspaceUrlValidator validator)
{
    public const string HostMetadataPath = ".well-known/databricks-config";
    private const string DiscoveryDocumentPath = "/.well-known/oauth-authorization-server";

    private sealed record HostMetadata(string? OidcEndpoint, string? AccountId);
    private sealed record AuthorizationServer(string? TokenEndpoint);

    public async Task<Uri> FindTokenEndpointAsync(CancellationToken cancellationToken)
    {
        var root = await FindOidcRootAsync(cancellationToken).ConfigureAwait(false);
        var discovery = await GetJsonAsync<AuthorizationServer>(new Uri(root.ToString().TrimEnd('/') + DiscoveryDocumentPath), "OIDC discovery", cancellationToken).ConfigureAwait(false);
        if (discovery?.TokenEndpoint is not { Length: > 0 } tokenEndpoint)
            return new Uri(root.ToString().TrimEnd('/') + "/v1/token");
        return Accept(tokenEndpoint, "token_endpoint of the OIDC discovery document");
    }

    private async Task<Uri> FindOidcRootAsync(CancellationToken cancellationToken)
    {
        var fallback = new Uri(workspaceBaseUri, "oidc");
        HostMetadata? metadata;
        try
        {
            metadata = await GetJsonAsync<HostMetadata>(new Uri(workspaceBaseUri, HostMetadataPath), "host metadata", cancellationToken).ConfigureAwait(false);
        }
        catch (DatabricksRequestFailedException e) when (e.Kind != WorkspaceErrorKind.Unreachable)
        {
            // Best effort, as in both SDKs: a workspace that cannot answer it still has {host}/oidc.
            return fallback;
        }
        var endpoint = metadata?.OidcEndpoint;
        if (string.IsNullOrEmpty(endpoint))
            return fallback;
        if (endpoint.Contains("{account_id}", StringComparison.Ordinal))
        {
            // A template means an account-level host; without the id to fill in, the workspace root is the only sound choice.
            if (string.IsNullOrEmpty(metadata!.AccountId))
                return fallback;
            endpoint = endpoint.Replace("{account_id}", Uri.EscapeDataString(metadata.AccountId), StringComparison.Ordinal);
        }
        return Accept(endpoint, "oidc_endpoint of the host metadata");
    }

    /// <summary>Null on 404 (the document does not exist here); other failures throw.</summary>
    private async Task<T?> GetJsonAsync<T>(Uri url, string operation, CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(RequestPolicy.Operation, operation);
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        if (!response.IsSuccessStatusCode)
            throw await DatabricksErrorParser.FromResponseAsync(response, operation, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(WorkspaceHttp.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // An HTML login page or a proxy's answer is not a document we can use; callers fall back.
            return null;
        }
    }

    private Uri Accept(string url, string what)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo))
            throw Refused(what, "it is not an absolute http(s) URL without user information");
        if (SameOrigin(uri, workspaceBaseUri))
            return uri;
        var origin = uri.GetLeftPart(UriPartial.Authority);
        if (!validator.TryValidate(origin, out _, out var reason))
            throw Refused(what, $"{uri.Authority} is not this workspace and not an accepted Databricks host ({reason})");
        return uri;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private DatabricksRequestFailedException Refused(string what, string why) =>
        new(WorkspaceErrorKind.InvalidWorkspaceUrl,
            $"The {what} of {workspaceBaseUri.Authority} was refused: {why}. No credentials were sent to it.");
}
