using System.Runtime.CompilerServices;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Catalog;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Sql;

/// <summary>SQL warehouses (/api/2.0/sql/warehouses). Follows next_page_token where the server pages.</summary>
public sealed class WarehousesClient
{
    private readonly WorkspaceHttp _http;

    internal WarehousesClient(WorkspaceHttp http) => _http = http;

    public async IAsyncEnumerable<WarehouseSummary> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var path = "/api/2.0/sql/warehouses" + (token is null ? "" : "?page_token=" + Uri.EscapeDataString(token));
            var page = await _http.SendJsonAsync<WarehousePage>(_http.NewRequest(HttpMethod.Get, path, "list warehouses"), cancellationToken).ConfigureAwait(false);
            foreach (var w in page.Warehouses ?? []) yield return new WarehouseSummary(w.Id ?? "", w.Name ?? "", w.State);
            token = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        } while (token is not null);
    }
}
