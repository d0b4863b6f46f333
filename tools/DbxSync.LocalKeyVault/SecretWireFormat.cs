using System.Text.Json;
using System.Text.Json.Nodes;

namespace DbxSync.LocalKeyVault;

/// <summary>
/// Key Vault's JSON shapes (SecretBundle, SecretItem, DeletedSecretBundle, errors) and request bodies.
/// SecretClient takes name and version from "id", so ids keep the {vault}/secrets/{name}/{version} shape.
/// </summary>
internal sealed class SecretWireFormat(string vaultBase, LocalKeyVaultOptions options)
{
    private string RecoveryLevel => options.PurgeAllowed ? "Recoverable+Purgeable" : "Recoverable";

    public JsonObject Bundle(SnapshotVersion snapshot)
    {
        var json = new JsonObject { ["value"] = snapshot.Version.Value };
        AddCommon(json, snapshot, $"{vaultBase}/secrets/{snapshot.Name}/{snapshot.Version.Version}");
        return json;
    }

    /// <summary>List entries never carry values, as in the service.</summary>
    public JsonObject Item(SnapshotVersion snapshot, bool withVersion)
    {
        var id = withVersion ? $"{vaultBase}/secrets/{snapshot.Name}/{snapshot.Version.Version}" : $"{vaultBase}/secrets/{snapshot.Name}";
        var json = new JsonObject();
        AddCommon(json, snapshot, id);
        json["managed"] = false;
        AddDeletion(json, snapshot);
        return json;
    }

    /// <summary>A deleted bundle: the latest version's properties plus recovery data; no value.</summary>
    public JsonObject DeletedBundle(SnapshotVersion snapshot)
    {
        var json = new JsonObject();
        AddCommon(json, snapshot, $"{vaultBase}/secrets/{snapshot.Name}/{snapshot.Version.Version}");
        AddDeletion(json, snapshot);
        return json;
    }

    public JsonObject Page(IEnumerable<JsonObject> items, string? nextLink) => new()
    {
        ["value"] = new JsonArray([.. items]),
        ["nextLink"] = nextLink,
    };

    public static JsonObject Error(VaultError error)
    {
        var body = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        if (error.InnerCode is not null) body["innererror"] = new JsonObject { ["code"] = error.InnerCode };
        return new JsonObject { ["error"] = body };
    }

    /// <summary>Reads a set (PUT) or update (PATCH) body. Only PUT requires a value.</summary>
    public static (string? Value, SecretChanges Changes) ParseRequest(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, new SecretChanges(null, null, null, null, null));
        JsonNode? root;
        try { root = JsonNode.Parse(body); }
        catch (JsonException) { throw VaultError.BadParameter("The request body is not valid JSON."); }
        if (root is not JsonObject obj) throw VaultError.BadParameter("The request body must be a JSON object.");

        var value = obj["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var contentType = obj["contentType"]?.GetValue<string>();
        Dictionary<string, string>? tags = null;
        if (obj["tags"] is JsonObject tagObject)
            tags = tagObject.ToDictionary(t => t.Key, t => t.Value?.ToString() ?? "");
        var attributes = obj["attributes"] as JsonObject;
        return (value, new SecretChanges(
            contentType,
            tags,
            attributes?["enabled"]?.GetValue<bool>(),
            attributes?["nbf"]?.GetValue<long>(),
            attributes?["exp"]?.GetValue<long>()));
    }

    private void AddCommon(JsonObject json, SnapshotVersion snapshot, string id)
    {
        var version = snapshot.Version;
        if (version.ContentType is not null) json["contentType"] = version.ContentType;
        json["id"] = id;
        var attributes = new JsonObject { ["enabled"] = version.Enabled };
        if (version.NotBefore is not null) attributes["nbf"] = version.NotBefore;
        if (version.Expires is not null) attributes["exp"] = version.Expires;
        attributes["created"] = version.Created;
        attributes["updated"] = version.Updated;
        attributes["recoveryLevel"] = RecoveryLevel;
        attributes["recoverableDays"] = options.RecoverableDays;
        json["attributes"] = attributes;
        json["tags"] = new JsonObject([.. version.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))]);
    }

    private void AddDeletion(JsonObject json, SnapshotVersion snapshot)
    {
        if (snapshot.Deletion is not { } deletion) return;
        json["recoveryId"] = $"{vaultBase}/deletedsecrets/{snapshot.Name}";
        json["scheduledPurgeDate"] = deletion.ScheduledPurgeDate;
        json["deletedDate"] = deletion.DeletedDate;
    }
}
