namespace DbxSync.Functions.Api.OpenApi;

public static class OpenApiEndpoints
{
    public const string Route = "/api/openapi.json";

    public static IEndpointRouteBuilder MapOpenApiEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, (EndpointDataSource endpoints) => Results.Text(OpenApiDocumentBuilder.Build(endpoints).ToJsonString(), "application/json"))
            .WithTags("OpenAPI").WithSummary("This document");
        return routes;
    }
}
