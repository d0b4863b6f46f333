using System.Net;
using System.Text.Json;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;
using DbxSync.FunctionsHost.Worker;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace DbxSync.FunctionsHost.Http;

/// <summary>
/// Runs an HTTP-triggered function as the real host does with ASP.NET Core integration: forwards the raw request
/// to the worker's HttpUri with x-ms-invocation-id (YARP, as the host uses) and sends the paired InvocationRequest,
/// whose HTTP input is an empty RpcHttp. Bodies stream both ways; the response never passes through gRPC.
/// </summary>
public sealed class HttpFunctionForwarder(
    WorkerSupervisor supervisor,
    IHttpForwarder forwarder,
    FunctionInvoker invoker,
    LocalHostOptions options,
    ILogger<HttpFunctionForwarder> log)
{
    private const string InvocationIdHeader = "x-ms-invocation-id";
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    private readonly HttpMessageInvoker _client = new(new RetryConnectHandler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    }));

    public async Task ForwardAsync(HttpContext context, string functionName)
    {
        var endpoint = context.GetEndpoint()?.Metadata.GetMetadata<HttpFunctionMetadata>();
        if (endpoint is not null && !FunctionKeys.Authorize(context, endpoint.AuthLevel, options))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        WorkerConnection worker;
        try
        {
            worker = await supervisor.GetReadyAsync(context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
        }
        catch (TimeoutException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (worker.HttpUri is null || !worker.Functions.TryGetValue(functionName, out var function))
        {
            log.LogError("Function {Function}: the worker has no ASP.NET Core endpoint (HttpUri) or lacks the function.", functionName);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var request = FunctionInvoker.NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } });
        AddTriggerMetadata(request, context);

        Task<InvocationResponse> invocation;
        try
        {
            invocation = worker.InvokeAsync(request, function.Name, context.RequestAborted);
        }
        catch (WorkerUnavailableException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var error = await forwarder.SendAsync(context, worker.HttpUri.GetLeftPart(UriPartial.Authority), _client, RequestConfig,
            new InvocationIdTransformer(request.InvocationId));
        if (error != ForwarderError.None)
        {
            var feature = context.GetForwarderErrorFeature();
            log.LogError("Function {Function} [{InvocationId}]: forwarding failed ({Error}): {Message}", function.Name, request.InvocationId, error, feature?.Exception?.Message);
        }

        try
        {
            // The response went to the client through the proxy; output bindings are written after it, as in Azure.
            var response = await invoker.WriteOutputsAsync(function, await invocation.WaitAsync(TimeSpan.FromSeconds(30)), CancellationToken.None);
            if (!response.Succeeded())
                log.LogWarning("Function {Function} [{InvocationId}] failed: {Error}", function.Name, request.InvocationId, response.Error());
        }
        catch (Exception exception) when (exception is WorkerUnavailableException or TimeoutException or OperationCanceledException)
        {
            log.LogWarning("Function {Function} [{InvocationId}]: {Message}", function.Name, request.InvocationId, exception.Message);
        }
    }

    /// <summary>The HTTP extension's binding data: query values (but `code`), route values, Query and Headers as JSON.</summary>
    private static void AddTriggerMetadata(InvocationRequest request, HttpContext context)
    {
        var metadata = request.TriggerMetadata;
        foreach (var (name, value) in context.Request.Query)
        {
            if (!string.Equals(name, "code", StringComparison.OrdinalIgnoreCase))
                metadata[name] = TypedDataFactory.String(value.ToString());
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is not null)
                metadata[name] = TypedDataFactory.String(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        metadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())) };
        metadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())) };
    }

    private sealed class InvocationIdTransformer(string invocationId) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", httpContext.Connection.RemoteIpAddress?.ToString());
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
        }
    }
}
