using DbxSync.FunctionsHost.Rpc;
using Grpc.Core;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>The gRPC server the worker dials: hands each stream to the connection that expects its worker id.</summary>
public sealed class FunctionRpcService(WorkerSupervisor supervisor, ILogger<FunctionRpcService> log) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken))
            return;
        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            log.LogWarning("A worker stream began with {Content} instead of StartStream; closing it.", first.ContentCase);
            return;
        }

        var connection = supervisor.Expecting(first.StartStream.WorkerId);
        if (connection is null)
        {
            log.LogWarning("Unknown worker id {WorkerId} opened a stream; closing it.", first.StartStream.WorkerId);
            return;
        }

        await connection.RunStreamAsync(requestStream, responseStream, context.CancellationToken);
    }
}
