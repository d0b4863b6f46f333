using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.OpenApi;

/// <summary>
/// One HTTP function as its trigger declares it: the same attributes the SDK turns into functions.metadata. Its route
/// is the full path (host.json's routePrefix is ""; see <see cref="AppRoutes"/>). <see cref="AllowsAnonymous"/> is
/// ASP.NET Core's [AllowAnonymous] on the function: the app's auth middleware lets those through, and only those.
/// </summary>
public sealed record HttpFunctionRoute(string FunctionName, IReadOnlyList<string> Methods, string Path, MethodInfo Method, ApiOperationAttribute? Operation, bool AllowsAnonymous)
{
    /// <summary>Every HTTP function of the app, by reflection over [Function] + [HttpTrigger], in path order.</summary>
    public static IReadOnlyList<HttpFunctionRoute> All(Assembly assembly)
        => assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger?.Route is not null)
            .Select(x => new HttpFunctionRoute(x.Function!.Name, (x.Trigger!.Methods ?? []).Select(v => v.ToUpperInvariant()).ToList(),
                "/" + x.Trigger.Route!, x.Method, x.Method.GetCustomAttribute<ApiOperationAttribute>(),
                x.Method.GetCustomAttribute<AllowAnonymousAttribute>() is not null))
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>The management API's operations: what /api/openapi.json lists (the console's routes are not API).</summary>
    public static IReadOnlyList<HttpFunctionRoute> ApiOperations(Assembly assembly) => All(assembly).Where(r => r.Operation is not null).ToList();

    /// <summary>A catch-all ({*path}) takes whatever more specific routes leave; it answers no path of its own.</summary>
    public bool IsCatchAll => Path.StartsWith("/{*", StringComparison.Ordinal);

    private readonly TemplateMatcher _matcher = new(TemplateParser.Parse(Path.TrimStart('/')), new RouteValueDictionary());

    public bool MatchesPath(PathString path) => _matcher.TryMatch(path, new RouteValueDictionary());
}
