using System.Text.RegularExpressions;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;

namespace DbxSync.Core.Principals;

/// <summary>
/// A registration's credentials read by auth type, each field checked and every field the type does not take refused,
/// so a mistaken request is an error instead of a silently different sign-in. Without auth_type the shape decides, as
/// before auth types existed: token means pat, client_id and client_secret mean databricks_oauth.
/// </summary>
internal sealed partial record PrincipalInput(
    WorkspaceAuthType AuthType, string? ClientId, string Secret, string? TenantId, string? AzureWorkspaceResourceId)
{
    [GeneratedRegex("^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\\w._()]{1,90}/providers/Microsoft\\.Databricks/workspaces/[-\\w]{3,64}$", RegexOptions.IgnoreCase)]
    private static partial Regex WorkspaceResourceId();

    /// <summary>A tenant is a GUID or a verified domain name (contoso.onmicrosoft.com), as Entra accepts in the authority path.</summary>
    [GeneratedRegex("^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63})$")]
    private static partial Regex Tenant();

    public WorkspaceCredentials Credentials(string workspaceUrl, string cacheKey) =>
        new(workspaceUrl, AuthType, ClientId, Secret, cacheKey) { TenantId = TenantId, AzureWorkspaceResourceId = AzureWorkspaceResourceId };

    public static PrincipalInput Read(RegisterPrincipalRequest r)
    {
        WorkspaceAuthType type;
        if (r.AuthType is null)
            type = r.Token is not null ? WorkspaceAuthType.PersonalAccessToken : WorkspaceAuthType.OAuthM2M;
        else if (!WorkspaceAuthTypeNames.TryParse(r.AuthType, out type))
            throw new ValidationException($"auth_type must be one of {string.Join(", ", WorkspaceAuthTypeNames.All)}.", "auth_type");
        if (r.AuthType is null && r.Token is not null && (r.ClientId is not null || r.ClientSecret is not null))
            throw new ValidationException("Send either client_id and client_secret (OAuth M2M) or token (personal access token), not both.", "token");

        var wire = type.ToWire();
        Refuse(type != WorkspaceAuthType.PersonalAccessToken ? r.Token : null, "token", wire);
        Refuse(type != WorkspaceAuthType.EntraClientSecret ? r.TenantId : null, "tenant_id", wire);
        Refuse(type != WorkspaceAuthType.ManagedIdentity ? r.ManagedIdentityClientId : null, "managed_identity_client_id", wire);
        var entra = type is WorkspaceAuthType.EntraClientSecret or WorkspaceAuthType.ManagedIdentity;
        Refuse(entra ? null : r.AzureWorkspaceResourceId, "azure_workspace_resource_id", wire);

        var resourceId = r.AzureWorkspaceResourceId;
        if (resourceId is not null && !WorkspaceResourceId().IsMatch(resourceId))
            throw new ValidationException("azure_workspace_resource_id must look like /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Databricks/workspaces/{name}.", "azure_workspace_resource_id");

        switch (type)
        {
            case WorkspaceAuthType.PersonalAccessToken:
                Refuse(r.ClientId, "client_id", wire);
                Refuse(r.ClientSecret, "client_secret", wire);
                return new(type, null, ServicePrincipalService.RequireNonEmpty(r.Token, "token"), null, null);
            case WorkspaceAuthType.ManagedIdentity:
                Refuse(r.ClientId, "client_id", wire);
                Refuse(r.ClientSecret, "client_secret", wire);
                var uami = r.ManagedIdentityClientId;
                if (uami is not null && !Guid.TryParse(uami, out _))
                    throw new ValidationException("managed_identity_client_id must be the client id (a GUID) of a user-assigned identity; leave it out for the system-assigned one.", "managed_identity_client_id");
                return new(type, uami, "", null, resourceId);
            case WorkspaceAuthType.EntraClientSecret:
                var appId = ServicePrincipalService.RequireNonEmpty(r.ClientId, "client_id");
                if (!Guid.TryParse(appId, out _))
                    throw new ValidationException("client_id must be the Entra application (client) id, a GUID.", "client_id");
                if (r.TenantId is not null && !Tenant().IsMatch(r.TenantId))
                    throw new ValidationException("tenant_id must be a tenant GUID or a domain name; leave it out to discover it from the workspace.", "tenant_id");
                return new(type, appId, ServicePrincipalService.RequireNonEmpty(r.ClientSecret, "client_secret"), r.TenantId, resourceId);
            default:
                var id = ServicePrincipalService.RequireNonEmpty(r.ClientId, "client_id");
                if (id.Length > 256 || id.Any(char.IsControl))
                    throw new ValidationException("client_id is not a valid application id.", "client_id");
                return new(type, id, ServicePrincipalService.RequireNonEmpty(r.ClientSecret, "client_secret"), null, null);
        }
    }

    private static void Refuse(string? value, string field, string authType)
    {
        if (value is not null)
            throw new ValidationException($"{field} does not apply to auth_type {authType}.", field);
    }
}
