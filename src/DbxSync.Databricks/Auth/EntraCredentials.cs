using Azure.Core;
using Azure.Identity;

namespace DbxSync.Databricks.Auth;

/// <summary>Builds Azure.Identity's credentials from the connector's options: the authority, its transport, discovery off off-cloud.</summary>
internal static class EntraCredentials
{
    private static readonly Uri[] AzureClouds = [AzureAuthorityHosts.AzurePublicCloud, AzureAuthorityHosts.AzureGovernment, AzureAuthorityHosts.AzureChina];

    public static TokenCredential ClientSecret(string tenantId, string clientId, string clientSecret, DatabricksClientOptions options)
    {
        var credentialOptions = new ClientSecretCredentialOptions();
        if (options.EntraAuthorityHost is { } authority)
        {
            credentialOptions.AuthorityHost = authority;
            // MSAL would otherwise ask the real login host whether this authority is known, which fails offline.
            credentialOptions.DisableInstanceDiscovery = !AzureClouds.Any(c => Uri.Compare(c, authority, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
        }
        if (options.EntraTransport is { } transport)
            credentialOptions.Transport = transport;
        return new ClientSecretCredential(tenantId, clientId, clientSecret, credentialOptions);
    }

    /// <summary>The app's system-assigned identity, or the user-assigned one with this client id. It follows IDENTITY_ENDPOINT, never AuthorityHost.</summary>
    public static TokenCredential ManagedIdentity(string? userAssignedClientId, DatabricksClientOptions options)
    {
        var id = userAssignedClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(userAssignedClientId);
        var credentialOptions = new ManagedIdentityCredentialOptions(id);
        if (options.EntraTransport is { } transport)
            credentialOptions.Transport = transport;
        return new ManagedIdentityCredential(credentialOptions);
    }
}
