using System.Globalization;
using System.Text.Json;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.UnityCatalog;

/// <summary>Read side of Unity Catalog REST 2.1 over the engine's catalog: catalogs, schemas, tables, volumes.</summary>
public static partial class UnityCatalogEndpoints
{
    private const string MetastoreId = "00000000-0000-4000-8000-00000000e301";
    private const string Owner = "account users";

    public sealed record CatalogInfo(string Name, string FullName, string Owner, string? Comment, string MetastoreId, string CatalogType,
        long CreatedAt, string CreatedBy, long UpdatedAt, string UpdatedBy, IReadOnlyDictionary<string, string>? Properties = null,
        string? StorageRoot = null, string? StorageLocation = null, string SecurableType = "CATALOG", string IsolationMode = "OPEN", bool BrowseOnly = false);

    public sealed record SchemaInfo(string Name, string CatalogName, string FullName, string Owner, string? Comment, string MetastoreId,
        string CatalogType, long CreatedAt, string CreatedBy, long UpdatedAt, string UpdatedBy, IReadOnlyDictionary<string, string>? Properties = null,
        string? StorageRoot = null, string? StorageLocation = null, string SecurableType = "SCHEMA", bool BrowseOnly = false);

    public sealed record ColumnInfo(string Name, string TypeText, string TypeName, string TypeJson, int TypePrecision, int TypeScale, int Position, bool Nullable);

    public sealed record TableInfo(string Name, string CatalogName, string SchemaName, string FullName, string TableType, string DataSourceFormat,
        IReadOnlyList<ColumnInfo>? Columns, string StorageLocation, string Owner, IReadOnlyDictionary<string, string>? Properties,
        string MetastoreId, string TableId, long CreatedAt, string CreatedBy, long UpdatedAt, string UpdatedBy);

    public sealed record VolumeInfo(string Name, string CatalogName, string SchemaName, string FullName, string VolumeType,
        string StorageLocation, string Owner, string VolumeId, string MetastoreId, long CreatedAt, string CreatedBy, long UpdatedAt, string UpdatedBy,
        string? Comment = null, string SecurableType = "VOLUME");

    public static void MapUnityCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var uc = app.MapGroup("/api/2.1/unity-catalog");

        uc.MapGet("/catalogs", (HttpRequest request, ISqlEngine engine) =>
            List(request, engine.ListCatalogs().Select(c => ToInfo(c, engine)), c => c.Name, "catalogs", unpaginatedWhenOmitted: true));
        uc.MapGet("/catalogs/{name}", (string name, ISqlEngine engine) =>
            FindCatalog(engine, name) is { } catalog ? Json(ToInfo(catalog, engine)) : CatalogNotFound(name));

        uc.MapGet("/schemas", (HttpRequest request, ISqlEngine engine) =>
        {
            var catalogName = request.Query["catalog_name"].ToString();
            if (catalogName.Length == 0)
                return ErrorEnvelope.BadRequest("catalog_name is required.");
            if (FindCatalog(engine, catalogName) is null)
                return CatalogNotFound(catalogName);
            return List(request, engine.ListSchemas(catalogName).Select(s => ToInfo(s, engine)), s => s.Name, "schemas", unpaginatedWhenOmitted: true);
        });
        uc.MapGet("/schemas/{fullName}", (string fullName, ISqlEngine engine) =>
        {
            var parts = fullName.Split('.');
            if (parts.Length != 2)
                return ErrorEnvelope.BadRequest($"Invalid schema full name '{fullName}'.");
            return FindSchema(engine, parts[0], parts[1]) is { } schema ? Json(ToInfo(schema, engine)) : SchemaNotFound(fullName);
        });

        uc.MapGet("/tables", (HttpRequest request, ISqlEngine engine) =>
        {
            var (catalogName, schemaName) = (request.Query["catalog_name"].ToString(), request.Query["schema_name"].ToString());
            if (catalogName.Length == 0 || schemaName.Length == 0)
                return ErrorEnvelope.BadRequest("catalog_name and schema_name are required.");
            if (FindSchema(engine, catalogName, schemaName) is null)
                return SchemaNotFound($"{catalogName}.{schemaName}");
            var omitColumns = IsTrue(request.Query["omit_columns"]);
            var omitProperties = IsTrue(request.Query["omit_properties"]);
            return List(request, engine.ListTables(catalogName, schemaName).Select(t => ToInfo(t, omitColumns, omitProperties)),
                t => t.Name, "tables", unpaginatedWhenOmitted: true);
        });
        uc.MapGet("/tables/{fullName}", (string fullName, ISqlEngine engine) =>
            FindTable(engine, fullName) is { } table ? Json(ToInfo(table, false, false)) : TableNotFound(fullName));
        uc.MapGet("/tables/{fullName}/exists", (string fullName, ISqlEngine engine) =>
            Json(new Dictionary<string, bool> { ["table_exists"] = FindTable(engine, fullName) is not null }));

        uc.MapGet("/volumes", (HttpRequest request, ISqlEngine engine) =>
        {
            var (catalogName, schemaName) = (request.Query["catalog_name"].ToString(), request.Query["schema_name"].ToString());
            if (catalogName.Length == 0 || schemaName.Length == 0)
                return ErrorEnvelope.BadRequest("catalog_name and schema_name are required.");
            if (FindSchema(engine, catalogName, schemaName) is null)
                return SchemaNotFound($"{catalogName}.{schemaName}");
            return List(request, engine.ListVolumes(catalogName, schemaName).Select(v => ToInfo(v, engine)), v => v.Name, "volumes",
                unpaginatedWhenOmitted: false);
        });
        uc.MapGet("/volumes/{fullName}", (string fullName, ISqlEngine engine) =>
        {
            var parts = fullName.Split('.');
            var volume = parts.Length == 3 ? engine.GetVolume(parts[0], parts[1], parts[2]) : null;
            return volume is null
                ? ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Volume '{fullName}' does not exist.")
                : Json(ToInfo(volume, engine));
        });

        uc.MapUnityCatalogWrites();
    }

    private static IResult List<T>(HttpRequest request, IEnumerable<T> items, Func<T, string> key, string listName, bool unpaginatedWhenOmitted)
    {
        var (page, error) = UnityCatalogPaging.Paginate(request, items, key, unpaginatedWhenOmitted);
        if (page is null)
            return error!;
        var body = new Dictionary<string, object> { [listName] = page.Items };
        if (page.NextPageToken is not null)
            body["next_page_token"] = page.NextPageToken;
        return Json(body);
    }

    private static CatalogEntry? FindCatalog(ISqlEngine engine, string name) =>
        engine.ListCatalogs().FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    private static SchemaEntry? FindSchema(ISqlEngine engine, string catalog, string schema) =>
        FindCatalog(engine, catalog) is null
            ? null
            : engine.ListSchemas(catalog).FirstOrDefault(s => string.Equals(s.Name, schema, StringComparison.OrdinalIgnoreCase));

    private static TableEntry? FindTable(ISqlEngine engine, string fullName)
    {
        var parts = fullName.Split('.');
        return parts.Length == 3 && FindSchema(engine, parts[0], parts[1]) is not null ? engine.GetTable(parts[0], parts[1], parts[2]) : null;
    }

    /// <summary>Owner, creator, last update, storage and properties as recorded by the engine (creator-owned), else the workspace default.</summary>
    private static SecurableDetails Details(ISqlEngine engine, SecurableKind kind, string fullName, long createdAtMs) =>
        (engine as IUnityCatalogWrites)?.GetDetails(kind, fullName)
        ?? new SecurableDetails(Owner, Owner, createdAtMs, Owner, null, null, new Dictionary<string, string>());

    private static IReadOnlyDictionary<string, string>? NonEmpty(IReadOnlyDictionary<string, string> properties) =>
        properties.Count == 0 ? null : properties;

    private static CatalogInfo ToInfo(CatalogEntry c, ISqlEngine engine)
    {
        var d = Details(engine, SecurableKind.Catalog, c.Name, c.CreatedAtMs);
        return new(c.Name, c.Name, d.Owner, c.Comment, MetastoreId, "MANAGED_CATALOG", c.CreatedAtMs, d.CreatedBy, d.UpdatedAtMs, d.UpdatedBy,
            NonEmpty(d.Properties), d.StorageLocation, d.StorageLocation);
    }

    private static SchemaInfo ToInfo(SchemaEntry s, ISqlEngine engine)
    {
        var d = Details(engine, SecurableKind.Schema, $"{s.Catalog}.{s.Name}", s.CreatedAtMs);
        return new(s.Name, s.Catalog, $"{s.Catalog}.{s.Name}", d.Owner, s.Comment, MetastoreId, "MANAGED_CATALOG", s.CreatedAtMs, d.CreatedBy,
            d.UpdatedAtMs, d.UpdatedBy, NonEmpty(d.Properties), d.StorageLocation, d.StorageLocation);
    }

    private static TableInfo ToInfo(TableEntry t, bool omitColumns, bool omitProperties)
    {
        // Databricks maintains these on UC Delta tables; clients use them as a cheap "did it change?" signal.
        var properties = new Dictionary<string, string>(t.Properties)
        {
            ["delta.lastUpdateVersion"] = t.CurrentVersion.ToString(CultureInfo.InvariantCulture),
            ["delta.lastCommitTimestamp"] = t.UpdatedAtMs.ToString(CultureInfo.InvariantCulture),
        };
        properties.TryAdd("delta.minReaderVersion", "1");
        properties.TryAdd("delta.minWriterVersion", "2");

        var columns = t.Columns.OrderBy(c => c.Position)
            .Select(c =>
            {
                var (precision, scale) = DecimalPrecision(c.TypeText);
                // type_text is Spark's catalogString: 'decimal(10,2)', 'array<string>', 'struct<a:int,b:string>'.
                return new ColumnInfo(c.Name, ColumnType(c).CatalogText, c.TypeName, TypeJson(c), precision, scale, c.Position, c.Nullable);
            })
            .ToList();
        return new TableInfo(t.Name, t.Catalog, t.Schema, $"{t.Catalog}.{t.Schema}.{t.Name}", "MANAGED", "DELTA",
            omitColumns ? null : columns, $"emulator://tables/{t.TableId}", Owner, omitProperties ? null : properties,
            MetastoreId, t.TableId, t.CreatedAtMs, Owner, t.UpdatedAtMs, Owner);
    }

    private static VolumeInfo ToInfo(VolumeEntryInfo v, ISqlEngine engine)
    {
        var d = Details(engine, SecurableKind.Volume, $"{v.Catalog}.{v.Schema}.{v.Name}", v.CreatedAtMs);
        // An EXTERNAL volume reports the location it was created with; its files still live in the emulator's data directory.
        return new(v.Name, v.Catalog, v.Schema, $"{v.Catalog}.{v.Schema}.{v.Name}", d.VolumeType ?? "MANAGED",
            d.StorageLocation ?? new Uri(engine.GetVolumeDirectory(v.Catalog, v.Schema, v.Name)).AbsoluteUri, d.Owner, v.VolumeId, MetastoreId,
            v.CreatedAtMs, d.CreatedBy, d.UpdatedAtMs, d.UpdatedBy, d.Comment);
    }

    /// <summary>Spark's StructField JSON (type names as Spark's DataType.json spells them).</summary>
    private static string TypeJson(ColumnEntry column) =>
        JsonSerializer.Serialize(SqlType.SparkFieldJson(column.Name, ColumnType(column), column.Nullable));

    private static SqlType ColumnType(ColumnEntry column) => SqlParser.ParseColumnList("x " + column.TypeText)[0].Type;

    /// <summary>UC reports 0/0 for non-decimal columns rather than omitting the fields.</summary>
    private static (int Precision, int Scale) DecimalPrecision(string typeText)
    {
        var match = System.Text.RegularExpressions.Regex.Match(typeText, @"^decimal\((\d+),\s*(\d+)\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success
            ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : (0, 0);
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static IResult CatalogNotFound(string name) => ErrorEnvelope.NotFound("CATALOG_DOES_NOT_EXIST", $"Catalog '{name}' does not exist.");
    private static IResult SchemaNotFound(string fullName) => ErrorEnvelope.NotFound("SCHEMA_DOES_NOT_EXIST", $"Schema '{fullName}' does not exist.");
    private static IResult TableNotFound(string fullName) => ErrorEnvelope.NotFound("TABLE_DOES_NOT_EXIST", $"Table '{fullName}' does not exist.");

    private static IResult Json<T>(T body) => Results.Json(body, EmulatorJson.Options);
}
