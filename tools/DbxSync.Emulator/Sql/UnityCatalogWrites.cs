namespace DbxSync.Emulator.Sql;

public sealed record CatalogCreate(string Name, string? Comment, string? StorageRoot, IReadOnlyDictionary<string, string>? Properties);
public sealed record SchemaCreate(string CatalogName, string Name, string? Comment, string? StorageRoot, IReadOnlyDictionary<string, string>? Properties);
public sealed record VolumeCreate(string CatalogName, string SchemaName, string Name, string VolumeType, string? Comment, string? StorageLocation);

/// <summary>PATCH fields: null leaves a field unchanged. NewName renames the object and everything under it.</summary>
public sealed record SecurableUpdate(string? Comment, string? Owner, IReadOnlyDictionary<string, string>? Properties, string? NewName = null);

/// <summary>
/// Unity Catalog writes for the REST API (https://docs.databricks.com/api/workspace/catalogs,
/// .../schemas, .../volumes). They run the same engine code as CREATE/DROP CATALOG|SCHEMA|VOLUME, in the same
/// store, so what one creates the other sees. Failures are EngineExceptions with the SQL error classes; the
/// HTTP layer maps them to REST statuses and error codes.
/// </summary>
public interface IUnityCatalogWrites
{
    SecurableDetails? GetDetails(SecurableKind kind, string fullName);
    void CreateCatalog(CatalogCreate request, EngineContext context);
    void CreateSchema(SchemaCreate request, EngineContext context);
    void CreateVolume(VolumeCreate request, EngineContext context);
    void Update(SecurableKind kind, string fullName, SecurableUpdate update, EngineContext context);

    /// <summary>force: drop what the catalog or schema contains too (DROP ... CASCADE); volumes have no force.</summary>
    void Delete(SecurableKind kind, string fullName, bool force, EngineContext context);
}
