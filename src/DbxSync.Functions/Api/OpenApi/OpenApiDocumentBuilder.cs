using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DbxSync.Functions.Api.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.0 document from the HTTP functions' own triggers and [ApiOperation] (no OpenAPI package
/// covers isolated-worker functions with ASP.NET Core integration here), so a route cannot exist undocumented.
/// Schemas mark non-nullable properties required and list enum values in their wire (snake_case) form.
/// </summary>
public static partial class OpenApiDocumentBuilder
{
    public static JsonObject Build(Assembly assembly)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var route in HttpFunctionRoute.ApiOperations(assembly))
        {
            var path = PathOf(route.Path);
            var item = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = item;
            foreach (var method in route.Methods)
                item[method.ToLowerInvariant()] = Operation(route, schemas);
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

    /// <summary>"/api/x/{id}" as clients call it: route constraints ({id:int}) dropped.</summary>
    public static string PathOf(string route) => ConstraintPattern().Replace(route, "}");

    private static JsonObject Operation(HttpFunctionRoute route, JsonObject schemas)
    {
        var meta = route.Operation;
        var op = new JsonObject { ["operationId"] = route.FunctionName };
        if (meta is not null)
        {
            op["tags"] = new JsonArray(meta.Tag);
            op["summary"] = meta.Summary;
        }

        var parameters = new JsonArray();
        foreach (Match p in ParameterPattern().Matches(route.Path))
            parameters.Add(new JsonObject { ["name"] = p.Groups["name"].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        if (parameters.Count > 0) op["parameters"] = parameters;

        if (meta?.RequestBody is { } requestType)
            op["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = SchemaRef(requestType, schemas) } },
            };

        var status = meta?.Status ?? 200;
        var response = new JsonObject { ["description"] = status < 300 ? "Success" : "See status" };
        if (meta?.Response is { } type)
            response["content"] = new JsonObject { [meta.ResponseContentType ?? "application/json"] = new JsonObject { ["schema"] = SchemaRef(type, schemas) } };
        var responses = new JsonObject { [status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response };
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
        if (type == typeof(int) || type == typeof(long)) return new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        if (type == typeof(double)) return new JsonObject { ["type"] = "number" };
        if (type == typeof(DateTimeOffset)) return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        if (type.IsEnum)
            return new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray(Enum.GetNames(type).Select(n => (JsonNode)JsonNamingPolicy.SnakeCaseLower.ConvertName(n)!).ToArray()),
            };
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            return new JsonObject { ["type"] = "array", ["items"] = SchemaRef(type.GetGenericArguments()[0], schemas) };
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IReadOnlyDictionary<,>) || d == typeof(Dictionary<,>)))
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = SchemaRef(type.GetGenericArguments()[1], schemas) };

        var name = type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] + "Of" + string.Concat(type.GetGenericArguments().Select(a => a.Name)) : type.Name;
        if (!schemas.ContainsKey(name))
        {
            var properties = new JsonObject();
            var required = new JsonArray();
            var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
            schemas[name] = schema;
            var nullability = new NullabilityInfoContext();
            foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (prop.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is not null) continue;
                var wire = JsonNamingPolicy.SnakeCaseLower.ConvertName(prop.Name);
                var propertySchema = SchemaRef(prop.PropertyType, schemas);
                var nullable = Nullable.GetUnderlyingType(prop.PropertyType) is not null
                               || (!prop.PropertyType.IsValueType && nullability.Create(prop).ReadState == NullabilityState.Nullable);
                if (nullable && propertySchema is JsonObject inline && !inline.ContainsKey("$ref")) inline["nullable"] = true;
                properties[wire] = propertySchema;
                if (!nullable) required.Add(wire);
            }
            if (required.Count > 0) schema["required"] = required;
        }
        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    [GeneratedRegex(@":[^}]*\}")]
    private static partial Regex ConstraintPattern();

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ParameterPattern();
}
