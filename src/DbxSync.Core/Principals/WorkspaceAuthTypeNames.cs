using DbxSync.Core.Ports;

namespace DbxSync.Core.Principals;

/// <summary>The API's names of the auth types (auth_type), one table both ways.</summary>
public static class WorkspaceAuthTypeNames
{
    public const string DatabricksOAuth = "databricks_oauth";
    public const string EntraClientSecret = "entra_client_secret";
    public const string ManagedIdentity = "managed_identity";
    public const string PersonalAccessToken = "pat";

    public static readonly IReadOnlyList<string> All = [DatabricksOAuth, EntraClientSecret, ManagedIdentity, PersonalAccessToken];

    public static string ToWire(this WorkspaceAuthType type) => type switch
    {
        WorkspaceAuthType.OAuthM2M => DatabricksOAuth,
        WorkspaceAuthType.EntraClientSecret => EntraClientSecret,
        WorkspaceAuthType.ManagedIdentity => ManagedIdentity,
        WorkspaceAuthType.PersonalAccessToken => PersonalAccessToken,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string? value, out WorkspaceAuthType type)
    {
        switch (value)
        {
            case DatabricksOAuth: type = WorkspaceAuthType.OAuthM2M; return true;
            case EntraClientSecret: type = WorkspaceAuthType.EntraClientSecret; return true;
            case ManagedIdentity: type = WorkspaceAuthType.ManagedIdentity; return true;
            case PersonalAccessToken: type = WorkspaceAuthType.PersonalAccessToken; return true;
            default: type = default; return false;
        }
    }

    /// <summary>True for the types whose secret lives in the secret store (all but a managed identity).</summary>
    public static bool HasSecret(this WorkspaceAuthType type) => type != WorkspaceAuthType.ManagedIdentity;
}
