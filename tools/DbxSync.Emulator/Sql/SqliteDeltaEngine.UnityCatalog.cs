namespace DbxSync.Emulator.Sql;

/// <summary>The REST side of Unity Catalog writes, on the SQL DDL's code paths (see IUnityCatalogWrites).</summary>
public sealed partial class SqliteDeltaEngine : IUnityCatalogWrites
{
    public SecurableDetails? GetDetails(SecurableKind kind, string fullName) => _securables.Find(kind, fullName);

    public void CreateCatalog(CatalogCreate request, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, _, _, afterCommit) =>
        {
            CreateCatalog(session, new CreateCatalogStatement(request.Name, false, request.Comment), afterCommit);
            var name = request.Name.ToLowerInvariant();
            if (request.StorageRoot != null || request.Properties is { Count: > 0 })
                _securables.Put(session, afterCommit, SecurableKind.Catalog, name, Fresh(context) with
                {
                    StorageLocation = request.StorageRoot,
                    Properties = request.Properties ?? new Dictionary<string, string>(),
                });
            return 0;
        });

    public void CreateSchema(SchemaCreate request, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, queries, _, afterCommit) =>
        {
            CreateSchema(session, queries, new CreateSchemaStatement(new QualifiedName([request.CatalogName, request.Name]), false, request.Comment), afterCommit);
            var fullName = $"{request.CatalogName}.{request.Name}".ToLowerInvariant();
            if (request.StorageRoot != null || request.Properties is { Count: > 0 })
                _securables.Put(session, afterCommit, SecurableKind.Schema, fullName, Fresh(context) with
                {
                    StorageLocation = request.StorageRoot,
                    Properties = request.Properties ?? new Dictionary<string, string>(),
                });
            return 0;
        });

    public void CreateVolume(VolumeCreate request, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, queries, _, afterCommit) =>
        {
            CreateVolume(session, queries, new CreateVolumeStatement(new QualifiedName([request.CatalogName, request.SchemaName, request.Name]), false, request.Comment), afterCommit);
            var fullName = $"{request.CatalogName}.{request.SchemaName}.{request.Name}".ToLowerInvariant();
            _securables.Put(session, afterCommit, SecurableKind.Volume, fullName, Fresh(context) with
            {
                StorageLocation = request.StorageLocation,
                VolumeType = request.VolumeType,
                Comment = request.Comment,
            });
            return 0;
        });

    public void Update(SecurableKind kind, string fullName, SecurableUpdate update, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, _, _, afterCommit) =>
        {
            var parts = fullName.Split('.');
            var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            string key;
            switch (kind)
            {
                case SecurableKind.Catalog:
                {
                    var catalog = _catalog.FindCatalog(fullName) ?? throw EngineErrors.CatalogNotFound(fullName);
                    key = catalog.Name;
                    if (update.Comment != null)
                    {
                        RunMeta(session, "UPDATE meta_catalogs SET comment = $c WHERE name = $n", ("$c", update.Comment), ("$n", catalog.Name));
                        afterCommit.Add(() => _catalog.PutCatalog(catalog with { Comment = update.Comment }));
                    }
                    break;
                }
                case SecurableKind.Schema:
                {
                    var schema = (parts.Length == 2 ? _catalog.FindSchema(parts[0], parts[1]) : null)
                                 ?? throw EngineErrors.SchemaNotFound(parts[0], parts.Length > 1 ? parts[1] : "");
                    key = $"{schema.Catalog}.{schema.Name}";
                    if (update.Comment != null)
                    {
                        RunMeta(session, "UPDATE meta_schemas SET comment = $c WHERE catalog = $k AND name = $n", ("$c", update.Comment), ("$k", schema.Catalog), ("$n", schema.Name));
                        afterCommit.Add(() => _catalog.PutSchema(schema with { Comment = update.Comment }));
                    }
                    break;
                }
                default:
                {
                    var volume = (parts.Length == 3 ? _catalog.FindVolume(parts[0], parts[1], parts[2]) : null)
                                 ?? throw EngineErrors.VolumeNotFound(parts);
                    key = $"{volume.Catalog}.{volume.Schema}.{volume.Name}";
                    break;
                }
            }
            var current = _securables.Find(kind, key) ?? Fresh(new EngineContext(WorkspaceDefaultOwner));
            _securables.Put(session, afterCommit, kind, key, current with
            {
                Owner = update.Owner ?? current.Owner,
                Properties = update.Properties ?? current.Properties,
                Comment = kind == SecurableKind.Volume && update.Comment != null ? update.Comment : current.Comment,
                UpdatedAtMs = nowMs,
                UpdatedBy = context.UserName,
            });
            return 0;
        });

    public void Delete(SecurableKind kind, string fullName, bool force, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, queries, writer, afterCommit) =>
        {
            var name = new QualifiedName(fullName.Split('.'));
            var expectedParts = kind switch { SecurableKind.Catalog => 1, SecurableKind.Schema => 2, _ => 3 };
            if (name.Parts.Count != expectedParts)
                throw kind switch
                {
                    SecurableKind.Catalog => EngineErrors.CatalogNotFound(fullName),
                    SecurableKind.Schema => EngineErrors.SchemaNotFound(name.Parts[0], fullName),
                    _ => EngineErrors.VolumeNotFound([.. name.Parts]),
                };
            return DropObject(session, queries, writer, new DropObjectStatement(kind.ToString().ToUpperInvariant(), name, false, force), afterCommit);
        });

    /// <summary>Owner of objects created before ownership was recorded (e.g. by an older data directory).</summary>
    public const string WorkspaceDefaultOwner = "account users";

    private static SecurableDetails Fresh(EngineContext context) =>
        new(context.UserName, context.UserName, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), context.UserName, null, null, new Dictionary<string, string>());
}
