using DbxSync.Core.Errors;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Principals;

/// <summary>
/// Names the cause when a workspace refuses to be signed in to, from the answers Azure Databricks gives
/// (../shared/reference/entra-databricks-auth.md, "Errors users meet"): a token from another tenant ("Expected iss
/// claim to be ..."), for another resource ("Expected aud claim to be ..."), a principal the workspace does not know
/// ("User not authorized."), and a principal without an entitlement the connector needs.
/// </summary>
public static class CredentialRefusal
{
    public const string WrongTenant = "wrong-tenant";
    public const string WrongAudience = "wrong-audience";
    public const string PrincipalNotInWorkspace = "principal-not-in-workspace";
    public const string MissingEntitlement = "missing-entitlement";
    public const string InvalidCredentials = "invalid-credentials";

    /// <summary>A ValidationException naming the cause, or null when the failure is not a refusal of the credentials.</summary>
    public static ValidationException? Explain(WorkspaceException ex, WorkspaceCredentials credentials)
    {
        var message = ex.Message;
        var who = credentials.AuthType switch
        {
            WorkspaceAuthType.ManagedIdentity => credentials.ClientId is null ? "the app's managed identity" : $"managed identity '{credentials.ClientId}'",
            WorkspaceAuthType.PersonalAccessToken => "the personal access token",
            _ => $"client '{credentials.ClientId}'",
        };
        if (message.Contains("Expected iss claim", StringComparison.OrdinalIgnoreCase))
            return new ValidationException(
                $"Wrong tenant: the workspace belongs to another Microsoft Entra tenant than the token of {who} ({Quote(message, "Expected iss claim")}). Set tenant_id to the workspace's tenant, or leave it out to have it discovered.",
                "tenant_id", WrongTenant);
        if (message.Contains("Expected aud claim", StringComparison.OrdinalIgnoreCase))
            return new ValidationException(
                $"Wrong audience: the token of {who} was issued for another resource than Azure Databricks ({Quote(message, "Expected aud claim")}). Request it for 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default.",
                credentials.AuthType == WorkspaceAuthType.PersonalAccessToken ? "token" : "client_id", WrongAudience);
        if (message.Contains("User not authorized", StringComparison.OrdinalIgnoreCase))
            return new ValidationException(
                $"Principal not in workspace: {who} signed in to Microsoft Entra ID, but the workspace does not know it. Add it to the workspace (account console, or SCIM POST /api/2.0/preview/scim/v2/ServicePrincipals with its applicationId), or set azure_workspace_resource_id for a principal with Contributor on the workspace.",
                credentials.AuthType == WorkspaceAuthType.ManagedIdentity ? "managed_identity_client_id" : "client_id", PrincipalNotInWorkspace);
        if (message.Contains("entitlement", StringComparison.OrdinalIgnoreCase) && ex.Kind == WorkspaceErrorKind.PermissionDenied)
            return new ValidationException(
                $"Missing entitlement: the workspace knows {who}, but it lacks an entitlement DbxSync needs ({Quote(message, "does not have")}). Give it databricks-sql-access (and workspace-access) in the workspace's admin settings or through SCIM.",
                null, MissingEntitlement);
        if (ex.Kind is WorkspaceErrorKind.InvalidCredentials or WorkspaceErrorKind.PermissionDenied)
            return new ValidationException(credentials.AuthType switch
                {
                    WorkspaceAuthType.OAuthM2M => $"The workspace refused the credentials of client '{credentials.ClientId}': check client_id and client_secret.",
                    WorkspaceAuthType.PersonalAccessToken => "The workspace refused the personal access token.",
                    _ => message,
                },
                credentials.AuthType switch
                {
                    WorkspaceAuthType.PersonalAccessToken => "token",
                    WorkspaceAuthType.ManagedIdentity => "managed_identity_client_id",
                    _ => "client_secret",
                },
                InvalidCredentials);
        return null;
    }

    /// <summary>The workspace's own words from <paramref name="marker"/> on, for the problem detail.</summary>
    private static string Quote(string message, string marker)
    {
        var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        var tail = at < 0 ? message : message[at..];
        var end = tail.IndexOf(" (request id", StringComparison.Ordinal);
        return (end < 0 ? tail : tail[..end]).TrimEnd('.', ' ');
    }
}
