using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.OpenApi;

public sealed class OpenApiFunction
{
    private static readonly Lazy<string> Document = new(() => OpenApiDocumentBuilder.Build(typeof(OpenApiFunction).Assembly).ToJsonString());

    [Function("OpenApi")]
    [ApiOperation("OpenAPI", "This document")]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.OpenApi)] HttpRequest req)
        => new ContentResult { Content = Document.Value, ContentType = "application/json", StatusCode = 200 };
}
