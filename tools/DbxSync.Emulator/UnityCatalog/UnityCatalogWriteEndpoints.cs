using System.Text.Json;
using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.UnityCatalog;

/// <summary>
/// Unity Catalog REST 2.1 writes: create (POST), update (PATCH) and delete (DELETE) of catalogs, schemas and volumes
/// (https://docs.databricks.com/api/workspace/catalogs, https://docs.databricks.com/api/workspace/schemas,
/// https://docs.databricks.com/api/workspace/volumes). Each runs the engine's CREATE/DROP code, so SQL sees what REST
/// created and the reverse. Create and update answer the object as GET does; delete answers an empty object.
/// </summary>
public static partial class UnityCatalogEndpoints
{
    public sealed record CreateCatalogRequest(string? Name, string? Comment, Dictionary<string, string>? Properties, string? StorageRoot,
        string? ProviderName, string? ShareName, string? ConnectionName);

    public sealed record CreateSchemaRequest(string? Name, string? CatalogName, string? Comment, Dictionary<string, string>? Properties, string? StorageRoot);

    public sealed record CreateVolumeRequest(string? Name, string? CatalogName, string? SchemaName, string? VolumeType, string? Comment, string? StorageLocation);

    public sealed record UpdateRequest(string? NewName, string? Comment, string? Owner, Dictionary<string, string>? Properties);

    private static void MapUnityCatalogWrites(this RouteGroupBuilder uc)
    {
        uc.MapPost("/catalogs", async (HttpContext http, ISqlEngine engine) =>
        {
            var (body, invalid) = await ReadAsync<CreateCatalogRequest>(http);
            if (invalid != null) return invalid;
            if (NameError(body!.Name, "name") is { } error) return error;
            // Delta Sharing and foreign catalogs need a provider or connection the emulator does not have.
            if (body.ProviderName != null || body.ShareName != null || body.ConnectionName != null)
                return ErrorEnvelope.BadRequest("The emulator creates managed catalogs only (no provider_name, share_name or connection_name).");
            return Write(engine, http, body.Name!, w => w.CreateCatalog(new CatalogCreate(body.Name!, body.Comment, body.StorageRoot, body.Properties), Context(http)),
                () => Json(ToInfo(FindCatalog(engine, body.Name!)!, engine)));
        });
        uc.MapPatch("/catalogs/{name}", async (string name, HttpContext http, ISqlEngine engine) =>
            await Update(http, engine, SecurableKind.Catalog, name, current => FindCatalog(engine, current) is { } c ? Json(ToInfo(c, engine)) : CatalogNotFound(current)));
        uc.MapDelete("/catalogs/{name}", (string name, HttpContext http, ISqlEngine engine) =>
            Write(engine, http, name, w => w.Delete(SecurableKind.Catalog, name, IsTrue(http.Request.Query["force"]), Context(http)), () => Json(new { })));

        uc.MapPost("/schemas", async (HttpContext http, ISqlEngine engine) =>
        {
            var (body, invalid) = await ReadAsync<CreateSchemaRequest>(http);
            if (invalid != null) return invalid;
            if ((NameError(body!.Name, "name") ?? NameError(body.CatalogName, "catalog_name")) is { } error) return error;
            var fullName = $"{body.CatalogName}.{body.Name}";
            return Write(engine, http, fullName,
                w => w.CreateSchema(new SchemaCreate(body.CatalogName!, body.Name!, body.Comment, body.StorageRoot, body.Properties), Context(http)),
                () => Json(ToInfo(FindSchema(engine, body.CatalogName!, body.Name!)!, engine)));
        });
        uc.MapPatch("/schemas/{fullName}", async (string fullName, HttpContext http, ISqlEngine engine) =>
            await Update(http, engine, SecurableKind.Schema, fullName, current =>
            {
                var parts = current.Split('.');
                return parts.Length == 2 && FindSchema(engine, parts[0], parts[1]) is { } s ? Json(ToInfo(s, engine)) : SchemaNotFound(current);
            }));
        uc.MapDelete("/schemas/{fullName}", (string fullName, HttpContext http, ISqlEngine engine) =>
            Write(engine, http, fullName, w => w.Delete(SecurableKind.Schema, fullName, IsTrue(http.Request.Query["force"]), Context(http)), () => Json(new { })));

        uc.MapPost("/volumes", async (HttpContext http, ISqlEngine engine) =>
        {
            var (body, invalid) = await ReadAsync<CreateVolumeRequest>(http);
            if (invalid != null) return invalid;
            if ((NameError(body!.Name, "name") ?? NameError(body.CatalogName, "catalog_name") ?? NameError(body.SchemaName, "schema_name")) is { } error) return error;
            // volume_type is required; an EXTERNAL volume needs a storage_location and a MANAGED one may not have one.
            var volumeType = body.VolumeType?.ToUpperInvariant();
            if (volumeType is not ("MANAGED" or "EXTERNAL"))
                return ErrorEnvelope.BadRequest("volume_type must be MANAGED or EXTERNAL.");
            if (volumeType == "EXTERNAL" && string.IsNullOrWhiteSpace(body.StorageLocation))
                return ErrorEnvelope.BadRequest("storage_location is required for an EXTERNAL volume.");
            if (volumeType == "MANAGED" && body.StorageLocation != null)
                return ErrorEnvelope.BadRequest("storage_location cannot be specified for a MANAGED volume.");
            var fullName = $"{body.CatalogName}.{body.SchemaName}.{body.Name}";
            return Write(engine, http, fullName,
                w => w.CreateVolume(new VolumeCreate(body.CatalogName!, body.SchemaName!, body.Name!, volumeType, body.Comment, body.StorageLocation), Context(http)),
                () => Json(ToInfo(engine.GetVolume(body.CatalogName!, body.SchemaName!, body.Name!)!, engine)));
        });
        uc.MapPatch("/volumes/{fullName}", async (string fullName, HttpContext http, ISqlEngine engine) =>
            await Update(http, engine, SecurableKind.Volume, fullName, current =>
            {
                var parts = current.Split('.');
                return parts.Length == 3 && engine.GetVolume(parts[0], parts[1], parts[2]) is { } v
                    ? Json(ToInfo(v, engine))
                    : ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Volume '{current}' does not exist.");
            }));
        uc.MapDelete("/volumes/{fullName}", (string fullName, HttpContext http, ISqlEngine engine) =>
            Write(engine, http, fullName, w => w.Delete(SecurableKind.Volume, fullName, force: false, Context(http)), () => Json(new { })));
    }

    private static EngineContext Context(HttpContext http) => new(BearerAuthenticationMiddleware.GetPrincipal(http).UserName);

    /// <summary>PATCH: comment, owner, properties and new_name; the answer is the object under its (new) name.</summary>
    private static async Task<IResult> Update(HttpContext http, ISqlEngine engine, SecurableKind kind, string fullName, Func<string, IResult> answer)
    {
        var (body, invalid) = await ReadAsync<UpdateRequest>(http);
        if (invalid != null) return invalid;
        if (body!.NewName != null && NameError(body.NewName, "new_name") is { } nameError) return nameError;
        if (body.Owner != null && string.IsNullOrWhiteSpace(body.Owner)) return ErrorEnvelope.BadRequest("owner cannot be empty.");
        if (kind == SecurableKind.Volume && body.Properties != null) return ErrorEnvelope.BadRequest("Volumes have no properties.");
        var renamed = body.NewName == null ? fullName : string.Join('.', fullName.Split('.')[..^1].Append(body.NewName.ToLowerInvariant()));
        return Write(engine, http, fullName, w => w.Update(kind, fullName, new SecurableUpdate(body.Comment, body.Owner, body.Properties, body.NewName), Context(http)),
            () => answer(renamed), conflictName: renamed);
    }

    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpContext http) where T : class
    {
        try
        {
            var body = await http.Request.ReadFromJsonAsync<T>(EmulatorJson.Options, http.RequestAborted);
            return body is null ? (null, ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "The request body must be a JSON object.")) : (body, null);
        }
        catch (JsonException)
        {
            return (null, ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "The request body is not valid JSON."));
        }
    }

    /// <summary>UC names: non-empty, at most 255 characters, no periods, spaces, slashes or control characters.</summary>
    private static IResult? NameError(string? name, string field)
    {
        if (string.IsNullOrEmpty(name)) return ErrorEnvelope.BadRequest($"Missing required field: {field}");
        if (name.Length > 255 || name.Any(c => c is '.' or ' ' or '/' || char.IsControl(c)))
            return ErrorEnvelope.BadRequest($"Invalid name '{name}' for {field}: names cannot contain periods, spaces, slashes or control characters.");
        return null;
    }

    /// <summary>Runs a write and answers with <paramref name="answer"/>, or the REST error for the engine's error class.</summary>
    /// <param name="conflictName">The name an already-exists error is about (a rename's target), when not <paramref name="fullName"/>.</param>
    private static IResult Write(ISqlEngine engine, HttpContext http, string fullName, Action<IUnityCatalogWrites> write, Func<IResult> answer,
        string? conflictName = null)
    {
        if (engine is not IUnityCatalogWrites writes)
            return ErrorEnvelope.Result(501, "NOT_IMPLEMENTED", "This engine does not support Unity Catalog writes.");
        try
        {
            write(writes);
        }
        catch (EngineException error)
        {
            return RestError(error, fullName, conflictName ?? fullName);
        }
        return answer();
    }

    /// <summary>
    /// REST statuses and error codes for the engine's failures. 404 codes follow reference/databricks-api.md §4
    /// (CATALOG_DOES_NOT_EXIST, SCHEMA_DOES_NOT_EXIST; volumes RESOURCE_DOES_NOT_EXIST as GET answers); already-exists
    /// is 409 with the object's code (assumed), and a non-empty catalog or schema without force is 400 (assumed).
    /// </summary>
    private static IResult RestError(EngineException error, string fullName, string conflictName) => error.ErrorClass switch
    {
        "CATALOG_ALREADY_EXISTS" => ErrorEnvelope.Result(409, "CATALOG_ALREADY_EXISTS", $"Catalog '{conflictName}' already exists."),
        "SCHEMA_ALREADY_EXISTS" => ErrorEnvelope.Result(409, "SCHEMA_ALREADY_EXISTS", $"Schema '{conflictName}' already exists."),
        "VOLUME_ALREADY_EXISTS" => ErrorEnvelope.Result(409, "RESOURCE_ALREADY_EXISTS", $"Volume '{conflictName}' already exists."),
        "NO_SUCH_CATALOG_EXCEPTION" => CatalogNotFound(fullName.Split('.')[0]),
        "SCHEMA_NOT_FOUND" => SchemaNotFound(string.Join('.', fullName.Split('.').Take(2))),
        "VOLUME_NOT_FOUND" => ErrorEnvelope.NotFound("RESOURCE_DOES_NOT_EXIST", $"Volume '{fullName}' does not exist."),
        "SCHEMA_NOT_EMPTY" => ErrorEnvelope.Result(400, "INVALID_STATE",
            $"'{fullName}' is not empty. Delete its contents first or pass force=true."),
        _ => ErrorEnvelope.Result(400, "INVALID_PARAMETER_VALUE", error.Message),
    };
}
