using Azure;
using Azure.Core;
using Azure.Identity;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Auth;

/// <summary>
/// Microsoft Entra ID tokens for Azure Databricks through Azure.Identity (ClientSecretCredential or
/// ManagedIdentityCredential). The scope names Azure Databricks itself, the same application id in the public, US Gov
/// and China clouds. A token is reused until at least 40 s before it expires: Azure Databricks refuses tokens that
/// expire within 30 s, and the official SDKs keep this margin. With a workspace resource id every request also carries
/// the ARM management token and the id, which lets a Contributor of the workspace in before it is added to it.
/// </summary>
public sealed class EntraTokenProvider : TokenProvider
{
    public const string AzureDatabricksScope = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default";
    /// <summary>ARM's scope: the resource "https://management.core.windows.net/" plus "/.default", hence the double slash.</summary>
    public const string ManagementScope = "https://management.core.windows.net//.default";
    public const string ManagementTokenHeader = "X-Databricks-Azure-SP-Management-Token";
    public const string WorkspaceResourceIdHeader = "X-Databricks-Azure-Workspace-Resource-Id";
    public static readonly TimeSpan MinimumRefreshMargin = TimeSpan.FromSeconds(40);

    private readonly Func<CancellationToken, Task<TokenCredential>> _createCredential;
    private readonly string _who;
    private readonly string? _workspaceResourceId;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshMargin;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TokenCredential? _credential;
    private volatile CachedToken? _databricks;
    private volatile CachedToken? _management;

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);

    /// <param name="createCredential">Builds the credential once, on first use (tenant discovery may need a request).</param>
    /// <param name="who">Names the principal in errors: never a secret.</param>
    public EntraTokenProvider(Func<CancellationToken, Task<TokenCredential>> createCredential, string who, string? workspaceResourceId,
        TimeProvider? timeProvider = null, TimeSpan? refreshMargin = null)
    {
        _createCredential = createCredential;
        _who = who;
        _workspaceResourceId = workspaceResourceId;
        _time = timeProvider ?? TimeProvider.System;
        _refreshMargin = refreshMargin is { } m && m > MinimumRefreshMargin ? m : MinimumRefreshMargin;
    }

    public override bool CanRefresh => true;

    /// <summary>Tokens fetched from Entra; lets tests see the cache working.</summary>
    public int TokenRequestCount => _requestCount;
    private int _requestCount;

    public override async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default) =>
        (_databricks = await GetAsync(_databricks, AzureDatabricksScope, cancellationToken).ConfigureAwait(false)).Value;

    public override void Invalidate(string rejectedToken)
    {
        if (_databricks is { } cached && cached.Value == rejectedToken)
            _databricks = null;
    }

    public override async ValueTask<IReadOnlyList<KeyValuePair<string, string>>> GetExtraHeadersAsync(CancellationToken cancellationToken = default)
    {
        if (_workspaceResourceId is null)
            return [];
        _management = await GetAsync(_management, ManagementScope, cancellationToken).ConfigureAwait(false);
        return [new(ManagementTokenHeader, _management.Value), new(WorkspaceResourceIdHeader, _workspaceResourceId)];
    }

    private async Task<CachedToken> GetAsync(CachedToken? cached, string scope, CancellationToken cancellationToken)
    {
        if (cached is not null && _time.GetUtcNow() < cached.RefreshAt)
            return cached;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited.
            var current = scope == AzureDatabricksScope ? _databricks : _management;
            if (current is not null && _time.GetUtcNow() < current.RefreshAt)
                return current;
            _credential ??= await _createCredential(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _requestCount);
            var requestedAt = _time.GetUtcNow();
            AccessToken token;
            try
            {
                token = await _credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationFailedException or CredentialUnavailableException)
            {
                throw Refused(e);
            }
            var lifetime = token.ExpiresOn - requestedAt;
            var margin = _refreshMargin < lifetime / 2 ? _refreshMargin : lifetime / 2;
            if (margin < MinimumRefreshMargin) margin = MinimumRefreshMargin;
            return new CachedToken(token.Token, token.ExpiresOn - margin);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Entra's refusal (an AADSTS code and sentence) or an unreachable endpoint, without the credential's boilerplate.</summary>
    private DatabricksRequestFailedException Refused(Exception e)
    {
        var unreachable = e.InnerException is HttpRequestException or RequestFailedException { Status: 0 or >= 500 } or TaskCanceledException;
        // Azure.Identity's message may carry Entra's reason itself or leave it to MSAL's inner exception.
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null && !text.Contains("AADSTS", StringComparison.Ordinal); inner = inner.InnerException)
            text = inner.Message.Contains("AADSTS", StringComparison.Ordinal) ? inner.Message : text;
        var aadsts = text.IndexOf("AADSTS", StringComparison.Ordinal);
        if (aadsts >= 0)
        {
            text = text[aadsts..];
            var end = text.IndexOfAny(['\r', '\n']);
            var trace = text.IndexOf(" Trace ID", StringComparison.Ordinal);
            end = end < 0 ? trace : trace < 0 ? end : Math.Min(end, trace);
            if (end > 0) text = text[..end];
        }
        else
        {
            text = text.Split('\n')[0];
        }
        return new DatabricksRequestFailedException(
            unreachable ? WorkspaceErrorKind.Unreachable : WorkspaceErrorKind.InvalidCredentials,
            $"Microsoft Entra ID gave no token for {_who}: {SensitiveText.Redact(text.Trim())}", isTransient: unreachable);
    }

    public override string ToString() => $"EntraTokenProvider({_who})";
}
