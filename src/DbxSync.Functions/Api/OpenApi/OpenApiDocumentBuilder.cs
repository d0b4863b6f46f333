using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;

namespace DbxSync.Functions.Api.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.0 document from the mapped endpoints themselves (Microsoft.AspNetCore.OpenApi is not
/// available here), so a route cannot exist without being documented.
/// </summary>
public static class OpenApiDocumentBuilder
{
    public static JsonObject Build(EndpointDataSource endpoints)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>().Where(IsApiRoute).OrderBy(e => PathOf(e.RoutePattern), StringComparer.Ordinal))
        {
            var path = PathOf(endpoint.RoutePattern);
            var item = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = item;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                item[method.ToLowerInvariant()] = Operation(endpoint, schemas);
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject { ["title"] = "DbxSync management API", ["version"] = "1.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject { ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer" } },
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
        };
    }

    public static bool IsApiRoute(RouteEndpoint endpoint) => PathOf(endpoint.RoutePattern).StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>"/api/x/{id}" with no trailing slash, the form clients call.</summary>
    public static string PathOf(RoutePattern pattern)
        => "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart param => "{" + param.Name + "}",
            RoutePatternSeparatorPart sep => sep.Content,
            _ => "",
        }))));

    private static JsonObject Operation(RouteEndpoint endpoint, JsonObject schemas)
    {
        var op = new JsonObject();
        if (endpoint.Metadata.GetMetadata<ITagsMetadata>() is { } tags) op["tags"] = new JsonArray(tags.Tags.Select(t => (JsonNode)t!).ToArray());
        if (endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>() is { } summary) op["summary"] = summary.Summary;

        var parameters = new JsonArray();
        foreach (var p in endpoint.RoutePattern.Parameters)
            parameters.Add(new JsonObject { ["name"] = p.Name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        if (parameters.Count > 0) op["parameters"] = parameters;

        if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: { } requestType } accepts)
            op["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { [accepts.ContentTypes.FirstOrDefault() ?? "application/json"] = new JsonObject { ["schema"] = SchemaRef(requestType, schemas) } },
            };

        var responses = new JsonObject();
        foreach (var produces in endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
        {
            var response = new JsonObject { ["description"] = produces.StatusCode < 300 ? "Success" : "See status" };
            if (produces.Type is { } type && type != typeof(void))
                response["content"] = new JsonObject { [produces.ContentTypes.FirstOrDefault() ?? "application/json"] = new JsonObject { ["schema"] = SchemaRef(type, schemas) } };
            else if (produces.ContentTypes.FirstOrDefault() is { } contentType)
                response["content"] = new JsonObject { [contentType] = new JsonObject() };
            responses[produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }
        if (responses.Count == 0) responses["200"] = new JsonObject { ["description"] = "Success" };
        responses["default"] = new JsonObject
        {
            ["description"] = "RFC 7807 problem",
            ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } },
        };
        op["responses"] = responses;
        return op;
    }

    private static JsonNode SchemaRef(Type type, JsonObject schemas)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return new JsonObject { ["type"] = "string" };
        if (type == typeof(bool)) return new JsonObject { ["type"] = "boolean" };
        if (type == typeof(int) || type == typeof(long)) return new JsonObject { ["type"] = "integer" };
        if (type == typeof(double)) return new JsonObject { ["type"] = "number" };
        if (type == typeof(DateTimeOffset)) return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            return new JsonObject { ["type"] = "array", ["items"] = SchemaRef(type.GetGenericArguments()[0], schemas) };
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = SchemaRef(type.GetGenericArguments()[1], schemas) };

        var name = type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] + "Of" + string.Concat(type.GetGenericArguments().Select(a => a.Name)) : type.Name;
        if (!schemas.ContainsKey(name))
        {
            var properties = new JsonObject();
            schemas[name] = new JsonObject { ["type"] = "object", ["properties"] = properties };
            foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                properties[JsonNamingPolicy.SnakeCaseLower.ConvertName(prop.Name)] = SchemaRef(prop.PropertyType, schemas);
        }
        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }
}
