using DbxSync.Functions.Api;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Middleware;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Health;

public sealed class HealthFunction(HealthReporter reporter)
{
    [Function("Health")]
    [AllowAnonymous]
    [ApiOperation("Health", "Dependency status; 503 when a required one is down. No auth; anonymous answers are up to 30 s old", Response = typeof(HealthResponse))]
    public async Task<IActionResult> Check([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.Health)] HttpRequest req, FunctionContext context, CancellationToken ct)
    {
        var (report, healthy) = await reporter.ReportAsync(fresh: ApiAuthMiddleware.AccessOf(context) != ApiAccess.None, ct);
        return new ApiResult(healthy ? 200 : 503, report);
    }
}
