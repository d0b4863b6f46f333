namespace DbxSync.Emulator.Statements;

/// <summary>
/// Serves EXTERNAL_LINKS chunks the way cloud storage serves presigned URLs: outside /api/, credential in the
/// query string, Authorization header rejected, 403 once expired. Plain-text errors, since it is not Databricks answering.
/// </summary>
public static class ExternalLinkEndpoints
{
    public static void MapExternalLinkEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/external/results/{statementId}/{chunkIndex:int}", Download);

    private static IResult Download(string statementId, int chunkIndex, HttpContext context, ExternalLinkSigner signer, StatementStore store)
    {
        if (context.Request.Headers.ContainsKey("Authorization"))
            return Results.Text(
                "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the presigned query string is supported, remove the Authorization header.</Message></Error>",
                "application/xml", statusCode: 400);

        var query = context.Request.Query;
        if (!long.TryParse(query["exp"], out var expires) || string.IsNullOrEmpty(query["sig"])
            || !signer.IsAuthentic(statementId, chunkIndex, expires, query["sig"].ToString()))
            return Results.Text("<Error><Code>AccessDenied</Code><Message>Signature does not match.</Message></Error>", "application/xml", statusCode: 403);
        if (signer.IsExpired(expires))
            return Results.Text("<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>", "application/xml", statusCode: 403);

        var record = store.Find(statementId);
        var path = record is null ? null : ResultSpool.ChunkPath(record.SpoolDirectory, chunkIndex);
        if (record?.State != StatementState.Succeeded || path is null || !File.Exists(path))
            return Results.Text("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", "application/xml", statusCode: 404);

        return Results.File(path, "application/json", enableRangeProcessing: true);
    }
}
