using DbxSync.FunctionsHost.Rpc;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>Invokes a function on whichever worker is current, waiting while one starts or restarts.</summary>
public sealed class FunctionInvoker(WorkerSupervisor supervisor)
{
    public async Task<InvocationResponse> InvokeAsync(
        string functionName, Action<FunctionDescriptor, InvocationRequest> fill, CancellationToken cancellationToken)
    {
        var worker = await supervisor.GetReadyAsync(cancellationToken);
        if (!worker.Functions.TryGetValue(functionName, out var function))
            throw new InvalidOperationException($"The worker has no function named {functionName}.");
        var request = NewRequest(function);
        fill(function, request);
        return await worker.InvokeAsync(request, function.Name, cancellationToken);
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
