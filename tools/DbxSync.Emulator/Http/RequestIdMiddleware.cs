namespace DbxSync.Emulator.Http;

/// <summary>Every real Databricks response carries x-request-id; clients log it, so the emulator does too.</summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers["x-request-id"] = Guid.NewGuid().ToString();
        context.Response.Headers["x-databricks-org-id"] = WorkspaceIdentity.WorkspaceId;
        return next(context);
    }
}
