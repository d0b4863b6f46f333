using DbxSync.Functions.Hosting;
using DbxSync.Functions.Middleware;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Cross-cutting work for the management API, once, in this order: log, limit, map failures, authenticate.
builder.UseWhen<RequestLogging>(HttpFunctions.IsHttp);
builder.UseWhen<RequestBodyLimits>(HttpFunctions.IsHttp);
builder.UseWhen<ProblemMiddleware>(HttpFunctions.IsHttp);
builder.UseWhen<ApiAuthMiddleware>(HttpFunctions.IsHttp);

builder.Services.AddDbxSync(builder.Configuration);
builder.Build().Run();
