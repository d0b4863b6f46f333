namespace DbxSync.LocalKeyVault;

/// <summary>A Key Vault error response: HTTP status, service code and optional inner code, as the real service sends them.</summary>
internal sealed class VaultError(int status, string code, string message, string? innerCode = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? InnerCode { get; } = innerCode;

    public static VaultError SecretNotFound(string name) => new(404, "SecretNotFound",
        $"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.");

    public static VaultError DeletedSecretNotFound(string name) => new(404, "SecretNotFound",
        $"Deleted Secret not found: {name}");

    public static VaultError VersionNotFound(string name, string version) => new(404, "SecretNotFound",
        $"A secret with (name/id) {name}/{version} was not found in this key vault.");

    public static VaultError BadParameter(string message) => new(400, "BadParameter", message);
}
