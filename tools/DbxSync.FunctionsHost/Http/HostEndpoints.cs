using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Http;

/// <summary>The host's own endpoints: status (as Core Tools serves it) and the blob extension's Event Grid webhook.</summary>
public static class HostEndpoints
{
    public static void MapHostEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/runtime/webhooks/blobs", (HttpContext context, Triggers.BlobTriggerService blobs) => blobs.HandleWebhookAsync(context));
        routes.MapGet("/admin/host/status", (WorkerSupervisor supervisor) => Results.Json(new
        {
            state = supervisor.IsReady ? "Running" : "Default",
            workerProcessId = supervisor.WorkerProcessId,
            workerStarts = supervisor.StartCount,
            workerHttpUri = supervisor.ReadyWorker?.HttpUri?.AbsoluteUri,
        }));
    }
}
