namespace DbxSync.Emulator.Sql;

/// <summary>The REST side of Unity Catalog writes, on the SQL DDL's code paths (see IUnityCatalogWrites).</summary>
public sealed partial class SqliteDeltaEngine : IUnityCatalogWrites
{
    public SecurableDetails? GetDetails(SecurableKind kind, string fullName) => _securables.Find(kind, fullName);

    public void CreateCatalog(CatalogCreate request, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, _, _, afterCommit) =>
        {
            CreateCatalog(session, new CreateCatalogStatement(request.Name, false, request.Comment), afterCommit);
            PutStorage(session, afterCommit, SecurableKind.Catalog, request.Name.ToLowerInvariant(), request.StorageRoot, request.Properties);
            return 0;
        });

    public void CreateSchema(SchemaCreate request, EngineContext context) =>
        RunWrite([], context, CancellationToken.None, (session, queries, _, afterCommit) =>
        {
            CreateSchema(session, queries, new CreateSchemaStatement(new QualifiedName([request.CatalogName, request.Name]), false, request.Comment), afterCommit);
            PutStorage(session, afterCommit, SecurableKind.Schema, $"{request.CatalogName}.{request.Name}".ToLowerInvariant(), request.StorageRoot, request.Properties);
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
        RunWrite([], context, CancellationToken.None, (session, _, _, afterCommit) => ApplyUpdate(session, afterCommit, kind, fullName, update));

    /// <summary>ALTER CATALOG|SCHEMA|VOLUME ... OWNER TO / RENAME TO and COMMENT ON: the REST update's code path.</summary>
    private EngineResult AlterSecurable(TranslationSession session, QueryTranslator queries, List<Action> afterCommit, AlterSecurableStatement alter)
    {
        string fullName;
        switch (alter.Kind)
        {
            case SecurableKind.Catalog:
                fullName = alter.Name.Last;
                break;
            case SecurableKind.Schema:
                var (catalog, schema) = ResolveSchemaName(session, alter.Name);
                fullName = $"{catalog}.{schema}";
                break;
            default:
                var volume = queries.ResolveThreePartName(alter.Name);
                fullName = $"{volume.Catalog}.{volume.Schema}.{volume.Name}";
                break;
        }
        ApplyUpdate(session, afterCommit, alter.Kind, fullName, alter.Update);
        return EngineResult.Empty;
    }

    private EngineResult ApplyUpdate(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string fullName, SecurableUpdate update)
    {
        var context = session.Context;
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
        if (update.NewName is { } newName && !string.Equals(newName, key.Split('.')[^1], StringComparison.OrdinalIgnoreCase))
            Rename(session, afterCommit, kind, key.Split('.'), newName.ToLowerInvariant());
        return EngineResult.Empty;
    }

    /// <summary>
    /// Renames a catalog, schema or volume with everything under it: the meta rows, the ownership rows and the volume
    /// directories. Tables keep their storage (it is keyed by table id). The mirror moves after commit, reading the
    /// entries as they are then, so other changes of the same PATCH (applied before) move along.
    /// </summary>
    private void Rename(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string[] parts, string newName)
    {
        var newParts = parts[..^1].Append(newName).ToArray();
        var exists = kind switch
        {
            SecurableKind.Catalog => _catalog.FindCatalog(newName) != null,
            SecurableKind.Schema => _catalog.FindSchema(parts[0], newName) != null,
            _ => _catalog.FindVolume(parts[0], parts[1], newName) != null,
        };
        if (exists)
            throw kind switch
            {
                SecurableKind.Catalog => EngineErrors.CatalogAlreadyExists(newName),
                SecurableKind.Schema => EngineErrors.SchemaAlreadyExists(parts[0], newName),
                _ => EngineErrors.VolumeAlreadyExists(newParts),
            };
        var old = parts[^1];
        switch (kind)
        {
            case SecurableKind.Catalog:
                RunMeta(session, "UPDATE meta_catalogs SET name = $new WHERE name = $old", ("$new", newName), ("$old", old));
                foreach (var table in new[] { "meta_schemas", "meta_volumes", "meta_tables" })
                    RunMeta(session, $"UPDATE {table} SET catalog = $new WHERE catalog = $old", ("$new", newName), ("$old", old));
                break;
            case SecurableKind.Schema:
                RunMeta(session, "UPDATE meta_schemas SET name = $new WHERE catalog = $c AND name = $old", ("$new", newName), ("$c", parts[0]), ("$old", old));
                foreach (var table in new[] { "meta_volumes", "meta_tables" })
                    RunMeta(session, $"UPDATE {table} SET schema = $new WHERE catalog = $c AND schema = $old", ("$new", newName), ("$c", parts[0]), ("$old", old));
                break;
            default:
                RunMeta(session, "UPDATE meta_volumes SET name = $new WHERE catalog = $c AND schema = $s AND name = $old",
                    ("$new", newName), ("$c", parts[0]), ("$s", parts[1]), ("$old", old));
                break;
        }
        _securables.Rename(session, afterCommit, string.Join('.', parts), string.Join('.', newParts));
        afterCommit.Add(() => MoveMirror(parts, newParts));
    }

    private void MoveMirror(string[] parts, string[] newParts)
    {
        bool Under(string catalog, string? schema = null) =>
            string.Equals(catalog, parts[0], StringComparison.OrdinalIgnoreCase) && (parts.Length < 2 || string.Equals(schema, parts[1], StringComparison.OrdinalIgnoreCase));
        string NewCatalog() => newParts[0];
        string NewSchema(string schema) => parts.Length == 2 ? newParts[1] : schema;

        var oldDirectory = Path.Combine([VolumesRoot, .. parts.Select(p => p.ToLowerInvariant())]);
        var newDirectory = Path.Combine([VolumesRoot, .. newParts.Select(p => p.ToLowerInvariant())]);
        if (parts.Length == 3)
        {
            var volume = _catalog.FindVolume(parts[0], parts[1], parts[2])!;
            _catalog.RemoveVolume(volume);
            _catalog.PutVolume(volume with { Name = newParts[2] });
        }
        else
        {
            foreach (var schema in _catalog.SchemasOf(parts[0]).Where(s => Under(s.Catalog, s.Name)).ToList())
            {
                foreach (var volume in _catalog.VolumesOf(schema.Catalog, schema.Name))
                {
                    _catalog.RemoveVolume(volume);
                    _catalog.PutVolume(volume with { Catalog = NewCatalog(), Schema = NewSchema(volume.Schema) });
                }
                foreach (var table in _catalog.TablesOf(schema.Catalog, schema.Name))
                {
                    _catalog.RemoveTable(table);
                    _catalog.PutTable(table with { Catalog = NewCatalog(), Schema = NewSchema(table.Schema) });
                }
                _catalog.RemoveSchema(schema);
                _catalog.PutSchema(schema with { Catalog = NewCatalog(), Name = NewSchema(schema.Name) });
            }
            if (parts.Length == 1)
            {
                var catalog = _catalog.FindCatalog(parts[0])!;
                _catalog.RemoveCatalog(catalog);
                _catalog.PutCatalog(catalog with { Name = newParts[0] });
            }
        }
        if (Directory.Exists(oldDirectory))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(newDirectory)!);
            Directory.Move(oldDirectory, newDirectory);
        }
    }

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

    /// <summary>A catalog's or schema's storage root and properties, set on top of what the DDL recorded.</summary>
    private void PutStorage(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string fullName,
        string? storageRoot, IReadOnlyDictionary<string, string>? properties)
    {
        if (storageRoot == null && properties is not { Count: > 0 }) return;
        _securables.Put(session, afterCommit, kind, fullName, Fresh(session.Context) with
        {
            StorageLocation = storageRoot,
            Properties = properties ?? new Dictionary<string, string>(),
        });
    }

    /// <summary>Owner of objects created before ownership was recorded (e.g. by an older data directory).</summary>
    public const string WorkspaceDefaultOwner = "account users";

    private static SecurableDetails Fresh(EngineContext context) =>
        new(context.UserName, context.UserName, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), context.UserName, null, null, new Dictionary<string, string>());
}
