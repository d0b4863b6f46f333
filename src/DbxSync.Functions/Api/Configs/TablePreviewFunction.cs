using DbxSync.Core.Syncs.Datasets;
using DbxSync.Functions.Api.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Api.Configs;

public sealed record PreviewColumn(string Name, string TypeText);
public sealed record TablePreviewResponse(string Table, IReadOnlyList<PreviewColumn> Columns, IReadOnlyList<string?[]> Rows);

/// <summary>/api/databricks/sync-configs/{id}/preview[?table=inputs]: the latest 20 rows of the table the config writes.</summary>
public sealed class TablePreviewFunction(TablePreviewService previews)
{
    [Function("GetTablePreview")]
    [ApiOperation("Sync configs", "The latest 20 rows of the table a config writes (annotations_reverse: ?table=annotations|inputs)", Response = typeof(TablePreviewResponse))]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoutes.TablePreview)] HttpRequest req, string id, CancellationToken ct)
    {
        var preview = await previews.GetAsync(id, req.Query["table"].FirstOrDefault(), ct);
        return ApiResult.Ok(new TablePreviewResponse(preview.Table, preview.Columns.Select(c => new PreviewColumn(c.Name, c.TypeText)).ToList(), preview.Rows));
    }
}
