using System.Net;

namespace DbxSync.Emulator.Entra;

/// <summary>
/// GET {workspace}/aad/auth: an Azure workspace redirects to its tenant's Entra sign-in page, which is how the SDKs
/// find the tenant of a workspace without credentials (databricks-sdk-py credentials_provider.py
/// _load_azure_tenant_id: a GET without following redirects, tenant = first path segment of Location). The query
/// string of the real redirect is not documented; the emulator sends the OAuth authorize parameters (assumed).
/// </summary>
public static class AzureAdAuthEndpoints
{
    public static void MapAzureAdAuthEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/aad/auth", (HttpContext context, EntraOptions options) =>
        {
            var authority = options.Authority?.ToString().TrimEnd('/') ?? "https://login.microsoftonline.com";
            var redirect = WebUtility.UrlEncode($"{context.Request.Scheme}://{context.Request.Host}/aad/redirect");
            return Results.Redirect($"{authority}/{options.TenantId}/oauth2/authorize?client_id={EntraOptions.AzureDatabricksApplicationId}&redirect_uri={redirect}&response_type=code");
        });
}
