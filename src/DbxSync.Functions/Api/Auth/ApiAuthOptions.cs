namespace DbxSync.Functions.Api.Auth;

public enum ApiAuthMode
{
    /// <summary>Bearer tokens whose SHA-256 hashes are configured.</summary>
    Tokens,
    /// <summary>App Service Authentication (Entra ID) in front; only the configured applications and principals get in.</summary>
    EasyAuth,
}

public sealed class ApiAuthOptions
{
    public const string Section = "DbxSync:Api";

    public string AuthMode { get; set; } = "tokens";
    public string? TokenSha256Hashes { get; set; }
    public string? ReadOnlyTokenSha256Hashes { get; set; }
    /// <summary>easyauth: comma-separated client (application) ids whose tokens are accepted.</summary>
    public string? AllowedApplicationIds { get; set; }
    /// <summary>easyauth: comma-separated object ids of users or service principals that are accepted.</summary>
    public string? AllowedPrincipalIds { get; set; }

    public ApiAuthMode ParsedMode => AuthMode.Trim().ToLowerInvariant() switch
    {
        "" or "tokens" => ApiAuthMode.Tokens,
        "easyauth" => ApiAuthMode.EasyAuth,
        // The old mode trusted the mere presence of a function key, which only a host that checks keys makes safe;
        // the functions are anonymous to the host now, so it would let anyone in.
        "host" => throw new InvalidOperationException(
            "DbxSync:Api:AuthMode 'host' was removed: the HTTP functions are anonymous to the Functions host, which therefore checks no function key. Use tokens or easyauth."),
        _ => throw new InvalidOperationException($"DbxSync:Api:AuthMode '{AuthMode}' is not one of tokens, easyauth."),
    };
}
