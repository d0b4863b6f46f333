using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Api.Auth;

public enum ApiAccess { None, ReadOnly, Full }

/// <summary>Decides what a request may do under the configured mode. Never looks at more than it needs, never logs credentials.</summary>
public sealed class ApiAuthenticator
{
    private readonly ApiAuthMode _mode;
    private readonly TokenHashList _fullTokens;
    private readonly TokenHashList _readOnlyTokens;
    private readonly HashSet<string> _applications;
    private readonly HashSet<string> _principals;

    public ApiAuthenticator(IOptions<ApiAuthOptions> options, ILogger<ApiAuthenticator> logger)
    {
        _mode = options.Value.ParsedMode;
        _fullTokens = new TokenHashList(options.Value.TokenSha256Hashes);
        _readOnlyTokens = new TokenHashList(options.Value.ReadOnlyTokenSha256Hashes);
        _applications = IdSet(options.Value.AllowedApplicationIds);
        _principals = IdSet(options.Value.AllowedPrincipalIds);
        if (_mode == ApiAuthMode.Tokens && _fullTokens.Count + _readOnlyTokens.Count == 0)
            logger.LogWarning("API auth mode is tokens but no token hashes are configured: every management request will be refused");
        if (_mode == ApiAuthMode.EasyAuth && _applications.Count + _principals.Count == 0)
            logger.LogWarning("API auth mode is easyauth but no allowed application or principal ids are configured: every management request will be refused");
        logger.LogInformation("API auth mode {AuthMode}: {FullTokens} full and {ReadOnlyTokens} read-only token hashes, {Applications} allowed applications, {Principals} allowed principals",
            _mode, _fullTokens.Count, _readOnlyTokens.Count, _applications.Count, _principals.Count);
    }

    public ApiAuthMode Mode => _mode;

    public ApiAccess Authenticate(HttpRequest request) => _mode switch
    {
        ApiAuthMode.Tokens => FromBearer(request),
        ApiAuthMode.EasyAuth => FromEasyAuth(request),
        _ => ApiAccess.None,
    };

    private ApiAccess FromEasyAuth(HttpRequest request)
    {
        // Signed in is not enough: any principal of the tenant could be; only the configured ones are let in.
        var principal = EasyAuthPrincipal.From(request);
        if (principal is null) return ApiAccess.None;
        var allowed = (principal.ApplicationId is { } app && _applications.Contains(app))
                      || (principal.ObjectId is { } oid && _principals.Contains(oid));
        return allowed ? ApiAccess.Full : ApiAccess.None;
    }

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

    private static HashSet<string> IdSet(string? commaSeparated)
        => (commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
