using System.Text.Json;
using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Provisioning;

namespace DbxSync.Emulator.Statements;

/// <summary>SQL Statement Execution API 2.0: submit, poll, cancel, fetch chunks.</summary>
public static class StatementEndpoints
{
    public static void MapStatementEndpoints(this IEndpointRouteBuilder app)
    {
        var statements = app.MapGroup("/api/2.0/sql/statements");
        statements.MapPost("/", ExecuteAsync);
        statements.MapGet("/{statementId}", GetStatus);
        statements.MapPost("/{statementId}/cancel", Cancel);
        statements.MapGet("/{statementId}/result/chunks/{chunkIndex}", GetChunk);
    }

    private static async Task<IResult> ExecuteAsync(
        HttpContext context, EmulatorCredentials credentials, StatementStore store, StatementRunner runner,
        StatementResponseBuilder responses, FaultInjector faults, TimeProvider time)
    {
        StatementRequest request;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            request = StatementRequest.Parse(body.RootElement);
        }
        catch (JsonException ex)
        {
            return ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "Could not parse request body as JSON: " + ex.Message);
        }
        catch (StatementRequestException ex)
        {
            return ErrorEnvelope.BadRequest(ex.Message);
        }

        if (!string.Equals(request.WarehouseId, credentials.Warehouse.Id, StringComparison.OrdinalIgnoreCase))
            return ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Warehouse {request.WarehouseId} does not exist.");

        var id = Guid.CreateVersion7().ToString();
        var record = new StatementRecord(id, request, BearerAuthenticationMiddleware.GetPrincipal(context), store.SpoolDirectoryFor(id));
        store.Add(record);
        var dropConnection = faults.TakeConnectionDrop(request.Statement);
        runner.Start(record);

        if (dropConnection)
        {
            // The statement commits but the client only sees a broken connection: the ambiguous failure
            // that makes blind POST retries dangerous.
            await record.Finished.WaitAsync(context.RequestAborted);
            context.Abort();
            return Results.Empty;
        }

        var origin = Origin(context);
        if (request.WaitTimeout == TimeSpan.Zero)
            return Json(responses.Build(record, StatementState.Pending, origin));

        var finishedInTime = await WaitAsync(record.Finished, request.WaitTimeout, time, context.RequestAborted);
        if (!finishedInTime && request.CancelOnWaitTimeout)
        {
            record.RequestCancel();
            await WaitAsync(record.Finished, TimeSpan.FromSeconds(5), time, context.RequestAborted);
        }
        return Json(responses.Build(record, origin));
    }

    private static IResult GetStatus(string statementId, HttpContext context, StatementStore store, StatementResponseBuilder responses) =>
        store.Find(statementId) is { } record
            ? Json(responses.Build(record, Origin(context)))
            : StatementNotFound(statementId);

    private static IResult Cancel(string statementId, StatementStore store)
    {
        if (store.Find(statementId) is not { } record)
            return StatementNotFound(statementId);
        record.RequestCancel();
        return Results.Json(new { }, EmulatorJson.Options);
    }

    private static async Task<IResult> GetChunk(string statementId, string chunkIndex, HttpContext context, StatementStore store, StatementResponseBuilder responses,
        FaultInjector faults, TimeProvider time)
    {
        if (store.Find(statementId) is not { } record)
            return StatementNotFound(statementId);
        if (!int.TryParse(chunkIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            return ErrorEnvelope.BadRequest($"Invalid chunk index '{chunkIndex}'.");

        var outcome = record.Outcome;
        if (record.State != StatementState.Succeeded || outcome is null)
            return ErrorEnvelope.Result(400, "INVALID_STATE",
                $"Statement {statementId} is in state {StatementResponseBuilder.StateName(record.State)}; no result is available.");
        if (index >= outcome.Chunks.Count)
            return ErrorEnvelope.BadRequest($"Chunk index {index} is out of range; the result has {outcome.Chunks.Count} chunks.");
        // Fault: a slow result stream (an INLINE chunk's rows; an EXTERNAL_LINKS chunk is slowed where it downloads).
        if (record.Request.Disposition != ResultDisposition.ExternalLinks && faults.ChunkDelayFor(record.Id, record.Request.Statement, index, time.GetUtcNow()) is { Ticks: > 0 } delay)
            await Task.Delay(delay, time, context.RequestAborted);

        try
        {
            return Json(responses.Chunk(record, outcome, index, Origin(context)));
        }
        catch (IOException)
        {
            return ErrorEnvelope.Result(400, "INVALID_STATE", $"Statement {statementId} is in state CLOSED; no result is available.");
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout, TimeProvider time, CancellationToken cancellation)
    {
        try
        {
            await task.WaitAsync(timeout, time, cancellation);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static IResult StatementNotFound(string statementId) =>
        ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Statement {statementId} not found.");

    private static IResult Json<T>(T body) => Results.Json(body, EmulatorJson.Options);

    public static string Origin(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
}
