using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Statements;

/// <summary>
/// Serves EXTERNAL_LINKS chunks the way cloud storage serves presigned URLs: outside /api/, credential in the
/// query string, Authorization header rejected, 403 once expired. Plain-text errors, since it is not Databricks answering.
/// </summary>
public static class ExternalLinkEndpoints
{
    public static void MapExternalLinkEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/external/results/{statementId}/{chunkIndex:int}", Download);

    private static async Task<IResult> Download(string statementId, int chunkIndex, HttpContext context, ExternalLinkSigner signer, StatementStore store,
        FaultInjector faults, TimeProvider time)
    {
        if (signer.Check(context, statementId, chunkIndex) is { } denied)
            return denied;

        var record = store.Find(statementId);
        var path = record is null ? null : ResultSpool.ChunkPath(record.SpoolDirectory, chunkIndex);
        if (record?.State != StatementState.Succeeded || path is null || !File.Exists(path))
            return PresignedUrlSigner.StorageError(404, "NoSuchKey", "The specified key does not exist.");

        // Fault: a slow store. The link is checked first, so an expired link still fails at once.
        if (faults.ChunkDelayFor(record.Id, record.Request.Statement, chunkIndex, time.GetUtcNow()) is { Ticks: > 0 } delay)
            await Task.Delay(delay, time, context.RequestAborted);

        return Results.File(path, "application/json", enableRangeProcessing: true);
    }
}
