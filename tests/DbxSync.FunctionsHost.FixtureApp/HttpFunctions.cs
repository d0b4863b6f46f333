using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.FunctionsHost.FixtureApp;

public sealed class HttpFunctions
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Function("GetItem")]
    public IActionResult GetItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id:int}/{label?}")] HttpRequest request,
        int id, string? label, FunctionContext context) =>
        new OkObjectResult(new
        {
            id,
            label,
            q = request.Query["q"].ToString(),
            path = request.Path.Value,
            invocationId = context.InvocationId,
            header = request.Headers["x-fixture"].ToString(),
            workerPid = Environment.ProcessId,
        });

    [Function("PostItem")]
    public async Task<IActionResult> PostItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "items/{id:int}")] HttpRequest request, int id)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        return new ObjectResult(new { id, body, contentType = request.ContentType }) { StatusCode = 201 };
    }

    /// <summary>Writes the first line, then waits for /release/{gate} before the rest: proves the response streams.</summary>
    [Function("StreamLines")]
    public async Task StreamLines(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "stream/{gate}")] HttpRequest request, string gate)
    {
        var response = request.HttpContext.Response;
        response.ContentType = "application/x-ndjson";
        var released = Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await response.WriteAsync("{\"line\":1}\n");
        await response.Body.FlushAsync();
        await released.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await response.WriteAsync("{\"line\":2}\n");
    }

    [Function("Release")]
    public IActionResult Release(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "release/{gate}")] HttpRequest request, string gate)
    {
        Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return new NoContentResult();
    }

    [Function("Secured")]
    public IActionResult Secured([HttpTrigger(AuthorizationLevel.Function, "get", Route = "secured")] HttpRequest request) =>
        new OkObjectResult("secret-ok");

    /// <summary>Kills the worker process, so the tests can watch the host restart it.</summary>
    [Function("Crash")]
    public IActionResult Crash([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "crash")] HttpRequest request)
    {
        Environment.Exit(3);
        return new OkResult();
    }

    /// <summary>The function name is the route when none is given; used by the benchmark.</summary>
    [Function("Ping")]
    public IActionResult Ping([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) => new OkObjectResult("pong");
}

/// <summary>An HTTP response and a queue message from one function: the message goes out through the host's queue output binding.</summary>
public sealed class EnqueueFunctions
{
    [Function("EnqueueOrder")]
    public EnqueueOrderOutput EnqueueOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}")] HttpRequest request, string orderId) => new()
    {
        Response = new AcceptedResult($"/fx/orders/{orderId}", new { orderId }),
        Message = request.Query["none"].Count > 0 ? null : $"{{\"orderId\":\"{orderId}\",\"via\":\"output binding\"}}",
    };
}

public sealed class EnqueueOrderOutput
{
    [HttpResult]
    public required IActionResult Response { get; init; }

    [QueueOutput("%FIXTURE_QUEUE%")]
    public string? Message { get; init; }
}
