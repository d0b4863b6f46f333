using System.Globalization;
using System.Runtime.CompilerServices;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Catalog;

/// <summary>
/// Unity Catalog listing (/api/2.1/unity-catalog). Lists always send max_results, because omitting it returns
/// everything unpaginated (deprecated); pages are followed until next_page_token is absent, even empty ones.
/// </summary>
public sealed class UnityCatalogClient
{
    private const string BasePath = "/api/2.1/unity-catalog";
    private readonly WorkspaceHttp _http;
    private readonly DatabricksClientOptions _options;

    internal UnityCatalogClient(WorkspaceHttp http, DatabricksClientOptions options)
    {
        _http = http;
        _options = options;
    }

    public IAsyncEnumerable<CatalogSummary> ListCatalogsAsync(CancellationToken cancellationToken = default) =>
        Paged<CatalogPage, CatalogSummary>("/catalogs", "", "list catalogs", p => (p.Catalogs ?? []).Select(c => new CatalogSummary(c.Name ?? "", c.Comment)), p => p.NextPageToken, cancellationToken);

    public IAsyncEnumerable<SchemaSummary> ListSchemasAsync(string catalog, CancellationToken cancellationToken = default)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        return Paged<SchemaPage, SchemaSummary>("/schemas", $"catalog_name={Uri.EscapeDataString(catalog)}", "list schemas",
            p => (p.Schemas ?? []).Select(s => new SchemaSummary(s.CatalogName ?? catalog, s.Name ?? "", s.FullName ?? $"{catalog}.{s.Name}", s.Comment)),
            p => p.NextPageToken, cancellationToken);
    }

    public IAsyncEnumerable<TableSummary> ListTablesAsync(string catalog, string schema, CancellationToken cancellationToken = default)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        return Paged<TablePage, TableSummary>("/tables", $"catalog_name={Uri.EscapeDataString(catalog)}&schema_name={Uri.EscapeDataString(schema)}", "list tables",
            p => (p.Tables ?? []).Select(ToTable), p => p.NextPageToken, cancellationToken);
    }

    public IAsyncEnumerable<VolumeSummary> ListVolumesAsync(string catalog, string schema, CancellationToken cancellationToken = default)
    {
        SqlIdentifier.Validate(catalog, "catalog");
        SqlIdentifier.Validate(schema, "schema");
        return Paged<VolumePage, VolumeSummary>("/volumes", $"catalog_name={Uri.EscapeDataString(catalog)}&schema_name={Uri.EscapeDataString(schema)}", "list volumes",
            p => (p.Volumes ?? []).Select(ToVolume), p => p.NextPageToken, cancellationToken);
    }

    /// <summary>Null when the table does not exist (404).</summary>
    public async Task<TableSummary?> GetTableAsync(string fullName, CancellationToken cancellationToken = default)
    {
        var name = TableName.Parse(fullName, "table");
        var wire = await _http.SendJsonOrDefaultOnNotFoundAsync<TableWire>(
            _http.NewRequest(HttpMethod.Get, $"{BasePath}/tables/{Uri.EscapeDataString(name.FullName)}", "get table"), cancellationToken).ConfigureAwait(false);
        return wire is null ? null : ToTable(wire);
    }

    /// <summary>Null when the volume does not exist (404).</summary>
    public async Task<VolumeSummary?> GetVolumeAsync(string fullName, CancellationToken cancellationToken = default)
    {
        // Same three-part rule as tables.
        var name = TableName.Parse(fullName, "volume");
        var wire = await _http.SendJsonOrDefaultOnNotFoundAsync<VolumeWire>(
            _http.NewRequest(HttpMethod.Get, $"{BasePath}/volumes/{Uri.EscapeDataString(name.FullName)}", "get volume"), cancellationToken).ConfigureAwait(false);
        return wire is null ? null : ToVolume(wire);
    }

    private async IAsyncEnumerable<TItem> Paged<TPage, TItem>(string resource, string query, string operation,
        Func<TPage, IEnumerable<TItem>> items, Func<TPage, string?> nextToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        var pageSize = _options.CatalogPageSize.ToString(CultureInfo.InvariantCulture);
        do
        {
            var q = (query.Length == 0 ? "" : query + "&") + "max_results=" + pageSize + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token));
            var page = await _http.SendJsonAsync<TPage>(_http.NewRequest(HttpMethod.Get, $"{BasePath}{resource}?{q}", operation), cancellationToken).ConfigureAwait(false);
            foreach (var item in items(page)) yield return item;
            var next = nextToken(page);
            token = string.IsNullOrEmpty(next) ? null : next;
        } while (token is not null);
    }

    private static TableSummary ToTable(TableWire t)
    {
        var columns = (t.Columns ?? [])
            .Select((c, i) => new TableColumn(c.Name ?? "", c.TypeText ?? "", c.TypeName ?? "", c.Position ?? i, c.Nullable ?? true))
            .OrderBy(c => c.Position)
            .ToList();
        var properties = (IReadOnlyDictionary<string, string>)(t.Properties ?? new Dictionary<string, string>());
        var fullName = t.FullName ?? $"{t.CatalogName}.{t.SchemaName}.{t.Name}";
        return new TableSummary(t.CatalogName ?? "", t.SchemaName ?? "", t.Name ?? "", fullName, t.TableType, t.DataSourceFormat, columns, properties);
    }

    private static VolumeSummary ToVolume(VolumeWire v) =>
        new(v.CatalogName ?? "", v.SchemaName ?? "", v.Name ?? "", v.FullName ?? $"{v.CatalogName}.{v.SchemaName}.{v.Name}", v.VolumeType);
}
