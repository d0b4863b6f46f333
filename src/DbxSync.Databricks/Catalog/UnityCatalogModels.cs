namespace DbxSync.Databricks.Catalog;

// Wire shapes of /api/2.1/unity-catalog; lenient, every field optional.

internal sealed class CatalogPage
{
    public List<CatalogWire>? Catalogs { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class SchemaPage
{
    public List<SchemaWire>? Schemas { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class TablePage
{
    public List<TableWire>? Tables { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class VolumePage
{
    public List<VolumeWire>? Volumes { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class CatalogWire
{
    public string? Name { get; set; }
    public string? Comment { get; set; }
}

internal sealed class SchemaWire
{
    public string? Name { get; set; }
    public string? CatalogName { get; set; }
    public string? FullName { get; set; }
    public string? Comment { get; set; }
}

internal sealed class TableWire
{
    public string? Name { get; set; }
    public string? CatalogName { get; set; }
    public string? SchemaName { get; set; }
    public string? FullName { get; set; }
    public string? TableType { get; set; }
    public string? DataSourceFormat { get; set; }
    public List<TableColumnWire>? Columns { get; set; }
    public Dictionary<string, string>? Properties { get; set; }
}

internal sealed class TableColumnWire
{
    public string? Name { get; set; }
    public string? TypeText { get; set; }
    public string? TypeName { get; set; }
    public int? Position { get; set; }
    public bool? Nullable { get; set; }
}

internal sealed class VolumeWire
{
    public string? Name { get; set; }
    public string? CatalogName { get; set; }
    public string? SchemaName { get; set; }
    public string? FullName { get; set; }
    public string? VolumeType { get; set; }
}

internal sealed class WarehousePage
{
    public List<WarehouseWire>? Warehouses { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class WarehouseWire
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? State { get; set; }
}
