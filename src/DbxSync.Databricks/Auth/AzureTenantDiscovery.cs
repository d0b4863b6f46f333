using System.Net;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Auth;

/// <summary>
/// Finds an Azure Databricks workspace's Entra tenant without credentials, as databricks-sdk-py does for
/// azure-client-secret when no tenant is configured (credentials_provider.py _load_azure_tenant_id):
/// GET {workspace}/aad/auth without following the redirect; Location is
/// https://login.microsoftonline.com/{tenant}/oauth2/authorize?..., and the tenant is its first path segment.
/// </summary>
internal static class AzureTenantDiscovery
{
    public static async Task<string> FindTenantAsync(Uri workspaceBaseUri, HttpMessageInvoker transport, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(workspaceBaseUri, "aad/auth"));
        request.Options.Set(RequestPolicy.Operation, "tenant discovery");
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var location = response.Headers.Location;
        if ((int)response.StatusCode is < 300 or >= 400 || location is null || !location.IsAbsoluteUri)
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.BadRequest,
                $"The tenant of {workspaceBaseUri.Authority} could not be discovered: GET /aad/auth answered HTTP {(int)response.StatusCode} without a sign-in redirect, so this is not an Azure Databricks workspace. Set tenant_id.",
                (int)response.StatusCode);
        var tenant = location.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(tenant))
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.BadRequest,
                $"The tenant of {workspaceBaseUri.Authority} could not be discovered: its sign-in redirect names no tenant. Set tenant_id.", (int)HttpStatusCode.Redirect);
        return WebUtility.UrlDecode(tenant);
    }
}
