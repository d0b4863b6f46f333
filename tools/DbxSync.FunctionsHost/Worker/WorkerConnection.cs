using System.Collections.Concurrent;
using System.Threading.Channels;
using DbxSync.FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>
/// One worker process's FunctionRpc stream: the start-up conversation (init, metadata, one load per function),
/// invocations correlated by invocation id, and the worker's logs routed to the host's log.
/// </summary>
public sealed class WorkerConnection
{
    private readonly Channel<StreamingMessage> _outbox = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _requests = new();
    private readonly ConcurrentDictionary<string, (TaskCompletionSource<InvocationResponse> Completion, string Function)> _invocations = new();
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;

    public WorkerConnection(string workerId, ILoggerFactory loggers)
    {
        WorkerId = workerId;
        _loggers = loggers;
        _log = loggers.CreateLogger("Host.Worker");
    }

    public string WorkerId { get; }

    /// <summary>The worker's ASP.NET Core endpoint (HttpUri capability); null when it has none.</summary>
    public Uri? HttpUri { get; private set; }

    public IReadOnlyDictionary<string, FunctionDescriptor> Functions { get; private set; } = new Dictionary<string, FunctionDescriptor>();

    public Task Attached => _attached.Task;
    public Task Closed => _closed.Task;

    /// <summary>Serves the stream until it ends; called by the gRPC service after the worker's StartStream.</summary>
    public async Task RunStreamAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        _attached.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = Task.Run(async () =>
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(stop.Token))
                await responses.WriteAsync(message, stop.Token);
        }, stop.Token);
        try
        {
            while (await requests.MoveNext(stop.Token))
                Dispatch(requests.Current);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            _log.LogDebug("Worker {WorkerId} stream ended: {Message}", WorkerId, exception.Message);
        }
        finally
        {
            stop.Cancel();
            Close("the worker's stream ended");
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>WorkerInitRequest → FunctionsMetadataRequest → one FunctionLoadRequest per function.</summary>
    public async Task InitializeAsync(string appDirectory, CancellationToken cancellationToken)
    {
        var init = await RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = typeof(WorkerConnection).Assembly.GetName().Version?.ToString() ?? "1.0.0",
                WorkerDirectory = appDirectory,
                FunctionAppDirectory = appDirectory,
            },
        }, cancellationToken);
        EnsureSuccess(init.WorkerInitResponse.Result, "WorkerInitRequest");
        if (init.WorkerInitResponse.Capabilities.TryGetValue("HttpUri", out var httpUri))
            HttpUri = new Uri(httpUri);

        var metadata = await RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        }, cancellationToken);
        EnsureSuccess(metadata.FunctionMetadataResponse.Result, "FunctionsMetadataRequest");
        var functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.Select(m => new FunctionDescriptor(m)).ToList();

        // The 2.52 worker ignores FunctionLoadRequestCollection, so one request per function, as the real host does without SupportsLoadResponseCollection.
        var loads = functions.Select(async function =>
        {
            var response = await RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.Id, Metadata = function.Metadata },
            }, cancellationToken);
            EnsureSuccess(response.FunctionLoadResponse.Result, "FunctionLoadRequest for " + function.Name);
        });
        await Task.WhenAll(loads);
        Functions = functions.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Sends an invocation and completes with the worker's response (or fails when the worker goes away).</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request, string functionName, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[request.InvocationId] = (completion, functionName);
        if (_closed.Task.IsCompleted || !_outbox.Writer.TryWrite(new StreamingMessage { InvocationRequest = request }))
        {
            _invocations.TryRemove(request.InvocationId, out _);
            throw new WorkerUnavailableException("The worker is not connected.");
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
                _outbox.Writer.TryWrite(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = request.InvocationId } }));
            completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return completion.Task;
    }

    public void Terminate(TimeSpan gracePeriod) =>
        _outbox.Writer.TryWrite(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });

    /// <summary>Fails whatever is still waiting on this worker: its process or stream is gone.</summary>
    public void Close(string reason)
    {
        if (!_closed.TrySetResult())
            return;
        _outbox.Writer.TryComplete();
        foreach (var request in _requests.Values)
            request.TrySetException(new WorkerUnavailableException("Worker stopped: " + reason));
        foreach (var (_, invocation) in _invocations)
            invocation.Completion.TrySetException(new WorkerUnavailableException("Worker stopped during the invocation: " + reason));
        _attached.TrySetException(new WorkerUnavailableException("Worker stopped before it connected: " + reason));
        _ = _attached.Task.Exception;
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var completion = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[message.RequestId] = completion;
        if (!_outbox.Writer.TryWrite(message))
            throw new WorkerUnavailableException("The worker is not connected.");
        try
        {
            return await completion.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _requests.TryRemove(message.RequestId, out _);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                Log(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var invocation))
                    invocation.Completion.TrySetResult(message.InvocationResponse);
                break;
            case StreamingMessage.ContentOneofCase.WorkerStatusRequest:
                _outbox.Writer.TryWrite(new StreamingMessage { RequestId = message.RequestId, WorkerStatusResponse = new WorkerStatusResponse() });
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
            case StreamingMessage.ContentOneofCase.WorkerStatusResponse:
                if (_requests.TryGetValue(message.RequestId, out var request))
                    request.TrySetResult(message);
                break;
            default:
                // Includes the content-less message the 2.52 worker writes after WorkerTerminate and InvocationCancel.
                break;
        }
    }

    private void Log(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None)
            return;
        var exception = log.Exception is { } e && !string.IsNullOrEmpty(e.Message) ? $" {e.Type}: {e.Message}" : "";
        if (!string.IsNullOrEmpty(log.InvocationId) && _invocations.TryGetValue(log.InvocationId, out var invocation))
        {
            _loggers.CreateLogger("Function." + invocation.Function)
                .Log(level, "[{InvocationId}] {Message}{Exception}", log.InvocationId, log.Message, exception);
        }
        else
        {
            _loggers.CreateLogger(string.IsNullOrEmpty(log.Category) ? "Worker" : "Worker." + log.Category)
                .Log(level, "{Message}{Exception}", log.Message, exception);
        }
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
            throw new InvalidOperationException($"{step} failed in the worker: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
    }
}

/// <summary>No worker can take the invocation right now (starting, restarting or stopping).</summary>
public sealed class WorkerUnavailableException(string message) : Exception(message);
