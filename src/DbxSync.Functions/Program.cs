using DbxSync.Functions.Hosting;
using DbxSync.Functions.Middleware;
using Microsoft.Azure.Functions.Worker.Builder;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// ASP.NET's own request lines carry the query string, and a caller may send the function key as ?code=.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

// Cross-cutting work for the management API, once, in this order: log, limit, map failures, authenticate.
builder.UseWhen<RequestLogging>(HttpFunctions.IsHttp);
builder.UseWhen<RequestBodyLimits>(HttpFunctions.IsHttp);
builder.UseWhen<ProblemMiddleware>(HttpFunctions.IsHttp);
builder.UseWhen<ApiAuthMiddleware>(HttpFunctions.IsHttp);

builder.Services.AddDbxSync(builder.Configuration);
builder.Build().Run();
