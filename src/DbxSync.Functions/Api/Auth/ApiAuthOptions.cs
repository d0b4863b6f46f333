namespace DbxSync.Functions.Api.Auth;

public enum ApiAuthMode
{
    /// <summary>Bearer tokens whose SHA-256 hashes are configured.</summary>
    Tokens,
    /// <summary>The Functions host already checked the function key (authLevel function).</summary>
    Host,
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
        "host" => ApiAuthMode.Host,
        "easyauth" => ApiAuthMode.EasyAuth,
        _ => throw new InvalidOperationException($"DbxSync:Api:AuthMode '{AuthMode}' is not one of tokens, host, easyauth."),
    };
}
