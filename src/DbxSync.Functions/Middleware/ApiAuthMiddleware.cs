using System.Collections.Frozen;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Problems;
using DbxSync.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DbxSync.Functions.Middleware;

/// <summary>
/// The app's one gate (the functions are anonymous to the Functions host): every HTTP function refuses a caller
/// without valid credentials, except those marked [AllowAnonymous] in the route table (health, /api/me, the console's
/// files). The fallback that answers unknown routes is guarded too, so unknown routes do not reveal themselves to
/// strangers. What the caller may do is left in the invocation's Items.
/// </summary>
public sealed class ApiAuthMiddleware(ApiAuthenticator authenticator, ILogger<ApiAuthMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <summary>Functions open to anyone, by name, from the same reflection that builds the OpenAPI document.</summary>
    public static readonly FrozenSet<string> AnonymousFunctions = HttpFunctionRoute.All(typeof(ApiAuthMiddleware).Assembly)
        .Where(r => r.AllowsAnonymous).Select(r => r.FunctionName).ToFrozenSet(StringComparer.Ordinal);
    private const string AccessItem = "DbxSync.ApiAccess";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        var path = http.Request.Path;
        var access = authenticator.Authenticate(http.Request);
        context.Items[AccessItem] = access;
        if (AnonymousFunctions.Contains(context.FunctionDefinition.Name))
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
