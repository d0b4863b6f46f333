using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Hosting;

public static class HttpFunctions
{
    public static bool IsHttp(FunctionContext context)
        => context.FunctionDefinition.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));

    /// <summary>The ASP.NET Core request of an HTTP invocation (ASP.NET Core integration).</summary>
    public static HttpContext Http(this FunctionContext context)
        => context.GetHttpContext() ?? throw new InvalidOperationException($"Function {context.FunctionDefinition.Name} has no HTTP request.");
}
