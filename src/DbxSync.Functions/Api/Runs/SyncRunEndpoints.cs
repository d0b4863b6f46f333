using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.Problems;

namespace DbxSync.Functions.Api.Runs;

public static class SyncRunEndpoints
{
    public const string NdjsonContentType = "application/x-ndjson";
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapSyncRunEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Configs.SyncConfigEndpoints.Route).WithTags("Runs");

        group.MapPost("/{id}/run", RunNowAsync)
            .WithSummary("Run now and answer with the finished run; ?progress=true or Accept: application/x-ndjson streams progress lines first")
            .Produces<RunResponse>().Produces(200, contentType: NdjsonContentType);
        group.MapGet("/{id}/runs", ListAsync).WithSummary("Runs, newest first (?page_size= 1..100, ?continuation=)").Produces<RunPageResponse>();
        group.MapGet("/{id}/runs/{run_id}", GetAsync).WithSummary("One run").Produces<RunResponse>();
        group.MapGet("/{id}/runs/{run_id}/errors", GetErrorsAsync).WithSummary("A failed import's line-level errors, from its error report").Produces<ImportErrorReport>();
        return routes;
    }

    private static async Task<IResult> RunNowAsync(string id, HttpContext context, SyncConfigService configs, ISyncRunner runner, ILoggerFactory loggers, CancellationToken ct)
    {
        var config = await configs.GetAsync(id, ct);
        if (!WantsProgress(context.Request))
            return Finished(await runner.RunAsync(new RunRequest(config.Id, RunTrigger.Manual), ct));

        // Bounded and lossy on purpose: a progress bar only needs the latest reports, and a slow client must not hold memory.
        var channel = Channel.CreateBounded<SyncProgress>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var runTask = Task.Run(() => runner.RunAsync(new RunRequest(config.Id, RunTrigger.Manual, null, new ChannelProgress(channel.Writer)), ct), ct);
        _ = runTask.ContinueWith(_ => channel.Writer.TryComplete(), TaskScheduler.Default);

        var response = context.Response;
        var started = false;
        async Task StartAsync()
        {
            if (started) return;
            started = true;
            response.StatusCode = 200;
            response.ContentType = NdjsonContentType;
            await response.StartAsync(ct);
        }

        await foreach (var report in channel.Reader.ReadAllAsync(ct))
        {
            await StartAsync();
            await WriteLineAsync(response, ProgressLine.From(report), ct);
        }

        SyncRun run;
        try
        {
            run = await runTask;
        }
        catch (Exception ex) when (started && ex is not OperationCanceledException)
        {
            // The status line is gone; the failure travels as the last line instead.
            var (type, detail, field) = ExceptionProblemMapping.Map(ex);
            loggers.CreateLogger(typeof(SyncRunEndpoints)).LogError(ex, "Manual run of sync config {ConfigId} failed while streaming progress", id);
            await WriteLineAsync(response, new ErrorLine("error", ProblemWriter.Body(context, type, detail, field)), ct);
            return Results.Empty;
        }

        if (!started)
        {
            if (run.Outcome == RunOutcome.Skipped) return Finished(run);
            await StartAsync();
        }
        await WriteLineAsync(response, new RunLine("run", RunResponse.From(run)), ct);
        return Results.Empty;
    }

    private static IResult Finished(SyncRun run)
        => run.Outcome == RunOutcome.Skipped
            ? throw new ApiProblemException(ProblemTypes.RunInProgress, run.Message ?? $"Another run of sync config '{run.ConfigId}' holds its lock; try again when it has finished.")
            : Results.Ok(RunResponse.From(run));

    private static bool WantsProgress(HttpRequest request)
        => (request.Query["progress"].FirstOrDefault() is { } p && (p == "true" || p == "1"))
           || request.Headers.Accept.Any(a => a is not null && a.Contains(NdjsonContentType, StringComparison.OrdinalIgnoreCase));

    private static async Task WriteLineAsync<T>(HttpResponse response, T line, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, ApiJson.Options);
        await response.Body.WriteAsync(bytes, ct);
        await response.Body.WriteAsync("\n"u8.ToArray(), ct);
        await response.Body.FlushAsync(ct);
    }

    private static async Task<IResult> ListAsync(string id, HttpRequest request, SyncConfigService configs, SyncRunRepository runs, CancellationToken ct)
    {
        var config = await configs.GetAsync(id, ct);
        var pageSize = DefaultPageSize;
        if (request.Query["page_size"].FirstOrDefault() is { } rawSize && (!int.TryParse(rawSize, out pageSize) || pageSize is < 1 or > MaxPageSize))
            throw new ValidationException($"page_size must be an integer from 1 to {MaxPageSize}.", "page_size");
        var continuation = DecodeContinuation(request.Query["continuation"].FirstOrDefault());
        var (items, next) = await runs.ListAsync(config.Id, pageSize, continuation, ct);
        return Results.Ok(new RunPageResponse(items.Select(RunResponse.From).ToList(), EncodeContinuation(next)));
    }

    private static async Task<IResult> GetAsync(string id, string run_id, SyncConfigService configs, SyncRunRepository runs, CancellationToken ct)
        => Results.Ok(RunResponse.From(await FindRunAsync(id, run_id, configs, runs, ct)));

    private static async Task<IResult> GetErrorsAsync(string id, string run_id, SyncConfigService configs, SyncRunRepository runs, ImportErrorReports reports, CancellationToken ct)
        => Results.Ok(await reports.ReadAsync(await FindRunAsync(id, run_id, configs, runs, ct), ct));

    private static async Task<SyncRun> FindRunAsync(string id, string runId, SyncConfigService configs, SyncRunRepository runs, CancellationToken ct)
    {
        var config = await configs.GetAsync(id, ct);
        var run = IsRunId(runId) ? await runs.GetAsync(config.Id, runId, ct) : null;
        return run ?? throw new NotFoundException($"Run '{runId}' of sync config '{id}' does not exist.", "run-not-found");
    }

    // Run ids are digits, '-' and hex; anything else cannot exist and must not reach the store as a key.
    private static bool IsRunId(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiHexDigit(c) || c == '-');

    // The store's token is wrapped so clients treat it as opaque and it survives a query string.
    private static string? EncodeContinuation(string? token)
        => token is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeContinuation(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        try
        {
            var b64 = value.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            throw new ValidationException("continuation is not a token this API handed out.", "continuation");
        }
    }

    /// <summary>IProgress without a synchronization context hop: reports go straight into the channel.</summary>
    private sealed class ChannelProgress(ChannelWriter<SyncProgress> writer) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => writer.TryWrite(value);
    }
}
