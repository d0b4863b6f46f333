using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Scim;

namespace DbxSync.Emulator.Entra;

/// <summary>
/// Databricks SQL needs the databricks-sql-access entitlement ("Manage entitlements": "Databricks SQL access ... allows
/// access to Databricks SQL"). A service principal added by SCIM without it is refused on the SQL APIs (statements,
/// warehouses) with 403 PERMISSION_DENIED; the message is assumed.
/// </summary>
public sealed class EntitlementMiddleware(RequestDelegate next, ScimDirectory directory)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api/2.0/sql")
            && context.Items.ContainsKey(BearerAuthenticationMiddleware.PrincipalKey)
            && BearerAuthenticationMiddleware.GetPrincipal(context) is { IsServicePrincipal: true } principal
            && directory.FindServicePrincipal(principal.UserName) is { } sp
            && !sp.Entitlements.Contains(ScimDirectory.SqlAccess))
            return ErrorEnvelope.WriteAsync(context, 403, "PERMISSION_DENIED",
                $"Service principal {principal.UserName} does not have the {ScimDirectory.SqlAccess} entitlement.");
        return next(context);
    }
}
