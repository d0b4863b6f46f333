using DbxSync.Core.Errors;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// A Key Vault call failed. The message names the operation, the secret name and the service's status and code —
/// never the secret value (SecretClient's own exception describes the response, which carries no value on errors).
/// </summary>
public sealed class SecretStoreException(string message, int status, string? errorCode, Exception? inner = null)
    : StorageException(message, status, errorCode, inner);
