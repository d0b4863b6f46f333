using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.OpenApi;

/// <summary>One HTTP function as its trigger declares it: the same attributes the SDK turns into functions.metadata.</summary>
public sealed record HttpFunctionRoute(string FunctionName, IReadOnlyList<string> Methods, string Path, MethodInfo Method, ApiOperationAttribute? Operation)
{
    public const string RoutePrefix = "api";

    /// <summary>Every HTTP function of the app except the fallback, by reflection over [Function] + [HttpTrigger].</summary>
    public static IReadOnlyList<HttpFunctionRoute> All(Assembly assembly)
        => assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger?.Route is { } route && !route.Contains("{*", StringComparison.Ordinal))
            .Select(x => new HttpFunctionRoute(x.Function!.Name, (x.Trigger!.Methods ?? []).Select(v => v.ToUpperInvariant()).ToList(),
                "/" + RoutePrefix + "/" + x.Trigger.Route!, x.Method, x.Method.GetCustomAttribute<ApiOperationAttribute>()))
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();

    private readonly TemplateMatcher _matcher = new(TemplateParser.Parse(Path.TrimStart('/')), new RouteValueDictionary());

    public bool MatchesPath(PathString path) => _matcher.TryMatch(path, new RouteValueDictionary());
}
