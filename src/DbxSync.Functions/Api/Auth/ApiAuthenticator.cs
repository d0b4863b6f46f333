using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Api.Auth;

public enum ApiAccess { None, ReadOnly, Full }

/// <summary>Decides what a request may do under the configured mode. Never looks at more than it needs, never logs credentials.</summary>
public sealed class ApiAuthenticator
{
    private readonly ApiAuthMode _mode;
    private readonly TokenHashList _fullTokens;
    private readonly TokenHashList _readOnlyTokens;

    public ApiAuthenticator(IOptions<ApiAuthOptions> options, ILogger<ApiAuthenticator> logger)
    {
        _mode = options.Value.ParsedMode;
        _fullTokens = new TokenHashList(options.Value.TokenSha256Hashes);
        _readOnlyTokens = new TokenHashList(options.Value.ReadOnlyTokenSha256Hashes);
        if (_mode == ApiAuthMode.Tokens && _fullTokens.Count + _readOnlyTokens.Count == 0)
            logger.LogWarning("API auth mode is tokens but no token hashes are configured: every management request will be refused");
        logger.LogInformation("API auth mode {AuthMode}: {FullTokens} full and {ReadOnlyTokens} read-only token hashes", _mode, _fullTokens.Count, _readOnlyTokens.Count);
    }

    public ApiAuthMode Mode => _mode;

    public ApiAccess Authenticate(HttpRequest request) => _mode switch
    {
        ApiAuthMode.Tokens => FromBearer(request),
        // Only the host can reach our loopback port, and it forwards only after its key check passed.
        ApiAuthMode.Host => request.Headers.ContainsKey("x-functions-key") || request.Query.ContainsKey("code") || request.Headers.ContainsKey("X-Azure-Functions-InvocationId")
            ? ApiAccess.Full : ApiAccess.None,
        ApiAuthMode.EasyAuth => !string.IsNullOrWhiteSpace(request.Headers["X-MS-CLIENT-PRINCIPAL-ID"]) ? ApiAccess.Full : ApiAccess.None,
        _ => ApiAccess.None,
    };

    private ApiAccess FromBearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return ApiAccess.None;
        var token = header[prefix.Length..].Trim();
        if (token.Length == 0) return ApiAccess.None;
        if (_fullTokens.Contains(token)) return ApiAccess.Full;
        return _readOnlyTokens.Contains(token) ? ApiAccess.ReadOnly : ApiAccess.None;
    }
}
