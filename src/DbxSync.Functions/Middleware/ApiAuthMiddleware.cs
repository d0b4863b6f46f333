using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Api.Problems;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>
/// Guards every API function except health, including the fallback that answers unknown routes, so that unknown
/// routes do not reveal themselves to strangers. What the caller may do is left in the invocation's Items.
/// </summary>
public sealed class ApiAuthMiddleware(ApiAuthenticator authenticator, ILogger<ApiAuthMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public static readonly PathString[] AnonymousPaths = ["/api/health"];
    private const string AccessItem = "DbxSync.ApiAccess";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        var path = http.Request.Path;
        var access = authenticator.Authenticate(http.Request);
        context.Items[AccessItem] = access;
        if (AnonymousPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        if (access == ApiAccess.None)
        {
            logger.LogInformation("Refused {Method} {Path}: missing or invalid credentials ({AuthMode})", http.Request.Method, path.Value, authenticator.Mode);
            http.Response.Headers.WWWAuthenticate = authenticator.Mode == ApiAuthMode.Tokens ? "Bearer" : "Bearer realm=\"DbxSync\"";
            context.GetInvocationResult().Value = new ProblemResult(ProblemTypes.Unauthorized, authenticator.Mode switch
            {
                ApiAuthMode.EasyAuth => "Sign in with an Entra ID application or principal this API is configured to accept.",
                _ => "Send Authorization: Bearer <token> with a valid API token.",
            });
            return;
        }
        if (access == ApiAccess.ReadOnly && !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
        {
            logger.LogInformation("Refused {Method} {Path}: read-only credential", http.Request.Method, path.Value);
            context.GetInvocationResult().Value = new ProblemResult(ProblemTypes.Forbidden, "This token may only read (GET).");
            return;
        }
        await next(context);
    }

    /// <summary>What the authenticated caller of this invocation may do (None for anonymous health calls).</summary>
    public static ApiAccess AccessOf(FunctionContext context)
        => context.Items.TryGetValue(AccessItem, out var value) && value is ApiAccess access ? access : ApiAccess.None;
}
