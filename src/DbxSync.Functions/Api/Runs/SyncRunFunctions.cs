using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Functions.Api.Configs;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Problems;
using DbxSync.Functions.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Runs;

/// <summary>Runs of a config: start one (queued, 202), list them, and follow one's progress and outcome.</summary>
public sealed class SyncRunFunctions(ManualRuns manualRuns, SyncConfigService configs, SyncRunRepository runs, ImportErrorReports errorReports)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    private const string Tag = "Runs";

    [Function("RunSyncConfig")]
    [ApiOperation(Tag, "Queue a run now; 202 with Location of the run to poll (GET .../runs/{run_id})", Response = typeof(RunResponse), Status = 202)]
    public async Task<RunNowOutput> RunNow([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AppRoutes.RunSyncConfig)] HttpRequest req, string id, CancellationToken ct)
    {
        var (run, message) = await manualRuns.StartAsync(id, ct);
        return message is null
            ? new RunNowOutput { Response = new ProblemResult(ProblemTypes.RunInProgress, run.Message!) }
            : new RunNowOutput { Response = ApiResult.Accepted(Location(run), RunResponse.From(run)), Run = RunQueueMessage.Format(message) };
    }

    [Function("ListSyncRuns")]
    [ApiOperation(Tag, "Runs, newest first (?page_size= 1..100, ?continuation=)", Response = typeof(RunPageResponse))]
    public async Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncRuns)] HttpRequest req, string id, CancellationToken ct)
    {
        var config = await configs.GetAsync(id, ct);
        var pageSize = DefaultPageSize;
        if (req.Query["page_size"].FirstOrDefault() is { } rawSize && (!int.TryParse(rawSize, out pageSize) || pageSize is < 1 or > MaxPageSize))
            throw new ValidationException($"page_size must be an integer from 1 to {MaxPageSize}.", "page_size");
        var continuation = OpaqueToken.Decode(req.Query["continuation"].FirstOrDefault(), "continuation");
        var (items, next) = await runs.ListAsync(config.Id, pageSize, continuation, ct);
        return ApiResult.Ok(new RunPageResponse(items.Select(RunResponse.From).ToList(), OpaqueToken.Encode(next)));
    }

    [Function("GetSyncRun")]
    [ApiOperation(Tag, "One run: queued, running with its progress (stage, done, total, unit), or its outcome", Response = typeof(RunResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncRun)] HttpRequest req,
        string id, string run_id, CancellationToken ct)
        => ApiResult.Ok(RunResponse.From(await FindAsync(id, run_id, ct)));

    [Function("GetSyncRunErrors")]
    [ApiOperation(Tag, "A failed import's line-level errors, from the error report beside the rejected file", Response = typeof(ImportErrorReport))]
    public async Task<IActionResult> Errors([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.SyncRunErrors)] HttpRequest req,
        string id, string run_id, CancellationToken ct)
        => ApiResult.Ok(await errorReports.ReadAsync(await FindAsync(id, run_id, ct), ct));

    private async Task<SyncRun> FindAsync(string id, string runId, CancellationToken ct)
    {
        var config = await configs.GetAsync(id, ct);
        var run = IsRunId(runId) ? await runs.GetAsync(config.Id, runId, ct) : null;
        return run ?? throw new NotFoundException($"Run '{runId}' of sync config '{id}' does not exist.", "run-not-found");
    }

    public static string Location(SyncRun run) => AppRoutes.Url(AppRoutes.SyncRun, ("id", run.ConfigId), ("run_id", run.RunId));

    // Run ids are digits, '-' and hex; anything else cannot exist and must not reach the store as a key.
    private static bool IsRunId(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiHexDigit(c) || c == '-');
}

/// <summary>
/// POST .../run's response and its sync-runs message. The host writes the message after the response and then wakes
/// its sync-runs listener (ManualRuns says why); a message it could not write fails the invocation in the host log.
/// </summary>
public sealed class RunNowOutput
{
    [HttpResult]
    public required IActionResult Response { get; init; }

    [QueueOutput(StorageRunQueue.Name, Connection = "AzureWebJobsStorage")]
    public string? Run { get; init; }
}
