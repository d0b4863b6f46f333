using DbxSync.FunctionsHost.Bindings;
using DbxSync.FunctionsHost.Rpc;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>
/// Invokes a function on whichever worker is current, waiting while one starts or restarts, and writes its output
/// bindings; an output that cannot be written fails the invocation, as in the real host.
/// </summary>
public sealed class FunctionInvoker(WorkerSupervisor supervisor, QueueOutputBinding queueOutputs)
{
    public async Task<InvocationResponse> InvokeAsync(
        string functionName, Action<FunctionDescriptor, InvocationRequest> fill, CancellationToken cancellationToken)
    {
        var worker = await supervisor.GetReadyAsync(cancellationToken);
        if (!worker.Functions.TryGetValue(functionName, out var function))
            throw new InvalidOperationException($"The worker has no function named {functionName}.");
        var request = NewRequest(function);
        fill(function, request);
        return await WriteOutputsAsync(function, await worker.InvokeAsync(request, function.Name, cancellationToken), cancellationToken);
    }

    public async Task<InvocationResponse> WriteOutputsAsync(FunctionDescriptor function, InvocationResponse response, CancellationToken cancellationToken)
    {
        if (!response.Succeeded() || response.OutputData.Count == 0)
            return response;
        try
        {
            await queueOutputs.WriteAsync(function, response, cancellationToken);
            return response;
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or NotSupportedException or InvalidOperationException)
        {
            return new InvocationResponse(response)
            {
                Result = new StatusResult
                {
                    Status = StatusResult.Types.Status.Failure,
                    Exception = new RpcException { Message = "Writing the output bindings failed: " + exception.Message, Type = exception.GetType().FullName },
                },
            };
        }
    }

    /// <summary>A new invocation of the function; the worker needs a trace context (the host always sends one).</summary>
    public static InvocationRequest NewRequest(FunctionDescriptor function)
    {
        var invocationId = Guid.NewGuid();
        var traceParent = System.Diagnostics.Activity.Current?.Id
                          ?? $"00-{System.Diagnostics.ActivityTraceId.CreateRandom()}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-00";
        return new InvocationRequest
        {
            InvocationId = invocationId.ToString(),
            FunctionId = function.Id,
            TraceContext = new RpcTraceContext { TraceParent = traceParent },
        };
    }
}

public static class InvocationResponseExtensions
{
    public static bool Succeeded(this InvocationResponse response) => response.Result?.Status == StatusResult.Types.Status.Success;

    public static string Error(this InvocationResponse response) =>
        response.Result?.Exception is { Message.Length: > 0 } exception
            ? $"{exception.Type}: {exception.Message}{Environment.NewLine}{exception.StackTrace}"
            : response.Result?.Status.ToString() ?? "no result";
}
