using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Databricks.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1:random port answering from routes the test sets up, and logging every
/// request it saw (method, path+query, headers, body).
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    public sealed record SeenRequest(string Method, string PathAndQuery, IDictionary<string, string> Headers, string Body);

    private readonly WebApplication _app;
    private readonly List<(string Method, string Path, Func<HttpContext, string, Task> Handler)> _routes = [];
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    private ScriptedServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public string HostAndPort => new Uri(BaseUrl).Authority;

    public static async Task<ScriptedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ScriptedServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    /// <summary>Exact path match (query ignored). Later routes win, so a test can override.</summary>
    public ScriptedServer On(string method, string path, Func<HttpContext, string, Task> handler)
    {
        lock (_routes) _routes.Insert(0, (method, path, handler));
        return this;
    }

    public ScriptedServer OnJson(string method, string path, string json, int status = 200, IDictionary<string, string>? headers = null) =>
        On(method, path, (ctx, _) => Json(ctx, json, status, headers));

    /// <summary>Answers with each response in turn; the last one repeats.</summary>
    public ScriptedServer OnSequence(string method, string path, params Func<HttpContext, Task>[] responses)
    {
        var i = 0;
        return On(method, path, (ctx, _) => responses[Math.Min(Interlocked.Increment(ref i) - 1, responses.Length - 1)](ctx));
    }

    public static async Task Json(HttpContext ctx, string json, int status = 200, IDictionary<string, string>? headers = null)
    {
        ctx.Response.StatusCode = status;
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(json);
    }

    public int Count(string method, string path) => Requests.Count(r => r.Method == method && r.PathAndQuery.Split('?')[0] == path);

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = ctx.Request.Path.Value ?? "";
        Requests.Enqueue(new SeenRequest(ctx.Request.Method, path + ctx.Request.QueryString, ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
        Func<HttpContext, string, Task>? handler;
        lock (_routes) handler = _routes.FirstOrDefault(r => r.Method == ctx.Request.Method && r.Path == path).Handler;
        if (handler is null)
        {
            await Json(ctx, $"{{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":\"No route for {ctx.Request.Method} {path}\"}}", 404);
            return;
        }
        await handler(ctx, body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
