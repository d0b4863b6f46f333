using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

public enum SecurableKind { Catalog, Schema, Volume }

/// <summary>
/// What Unity Catalog reports about a catalog, schema or volume beyond its name and comment: owner (the creator until
/// changed), who changed it last and when, its storage location, volume type and properties.
/// </summary>
public sealed record SecurableDetails(
    string Owner, string CreatedBy, long UpdatedAtMs, string UpdatedBy, string? StorageLocation, string? VolumeType,
    IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>Volumes keep their comment here; catalogs and schemas keep theirs in meta_catalogs / meta_schemas.</summary>
    public string? Comment { get; init; }
}

/// <summary>
/// Ownership and settings of catalogs, schemas and volumes, kept in one meta table next to meta_catalogs/_schemas/_volumes
/// and written in the same transactions as those (SQL DDL and the REST API both come through here), mirrored in memory
/// after commit.
/// </summary>
public sealed class SecurableStore
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS meta_securables(
            kind TEXT NOT NULL, full_name TEXT NOT NULL COLLATE NOCASE, comment TEXT, owner TEXT NOT NULL, created_by TEXT NOT NULL,
            updated_ms INTEGER NOT NULL, updated_by TEXT NOT NULL, storage_location TEXT, volume_type TEXT, properties_json TEXT NOT NULL,
            PRIMARY KEY(kind, full_name));
        """;

    private readonly ConcurrentDictionary<(SecurableKind, string), SecurableDetails> _details = new(new KeyComparer());

    public void Load(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, full_name, owner, created_by, updated_ms, updated_by, storage_location, volume_type, properties_json, comment FROM meta_securables";
        using var reader = command.ExecuteReader();
        while (reader.Read())
            _details[(Enum.Parse<SecurableKind>(reader.GetString(0)), reader.GetString(1))] = new SecurableDetails(
                reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8))!) { Comment = reader.IsDBNull(9) ? null : reader.GetString(9) };
    }

    public SecurableDetails? Find(SecurableKind kind, string fullName) => _details.GetValueOrDefault((kind, fullName));

    /// <summary>Writes the details in the current transaction; the in-memory copy follows after commit.</summary>
    public void Put(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string fullName, SecurableDetails details)
    {
        using var command = session.CreateCommand("""
            INSERT INTO meta_securables(kind, full_name, comment, owner, created_by, updated_ms, updated_by, storage_location, volume_type, properties_json)
            VALUES ($kind, $name, $comment, $owner, $createdBy, $updatedMs, $updatedBy, $location, $volumeType, $properties)
            ON CONFLICT(kind, full_name) DO UPDATE SET comment = excluded.comment, owner = excluded.owner, created_by = excluded.created_by, updated_ms = excluded.updated_ms,
                updated_by = excluded.updated_by, storage_location = excluded.storage_location, volume_type = excluded.volume_type,
                properties_json = excluded.properties_json
            """);
        command.Parameters.AddWithValue("$kind", kind.ToString());
        command.Parameters.AddWithValue("$name", fullName);
        command.Parameters.AddWithValue("$comment", (object?)details.Comment ?? DBNull.Value);
        command.Parameters.AddWithValue("$owner", details.Owner);
        command.Parameters.AddWithValue("$createdBy", details.CreatedBy);
        command.Parameters.AddWithValue("$updatedMs", details.UpdatedAtMs);
        command.Parameters.AddWithValue("$updatedBy", details.UpdatedBy);
        command.Parameters.AddWithValue("$location", (object?)details.StorageLocation ?? DBNull.Value);
        command.Parameters.AddWithValue("$volumeType", (object?)details.VolumeType ?? DBNull.Value);
        command.Parameters.AddWithValue("$properties", JsonSerializer.Serialize(details.Properties));
        command.ExecuteNonQuery();
        afterCommit.Add(() => _details[(kind, fullName)] = details);
    }

    /// <summary>A new securable owned by its creator (https://docs.databricks.com/en/data-governance/unity-catalog/manage-privileges/ownership.html).</summary>
    public void Created(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string fullName, long createdMs,
        string? volumeType = null, string? comment = null) =>
        Put(session, afterCommit, kind, fullName, new SecurableDetails(
            session.Context.UserName, session.Context.UserName, createdMs, session.Context.UserName, null, volumeType, new Dictionary<string, string>())
        {
            Comment = comment,
        });

    public void Remove(TranslationSession session, List<Action> afterCommit, SecurableKind kind, string fullName)
    {
        using var command = session.CreateCommand("DELETE FROM meta_securables WHERE kind = $kind AND full_name = $name");
        command.Parameters.AddWithValue("$kind", kind.ToString());
        command.Parameters.AddWithValue("$name", fullName);
        command.ExecuteNonQuery();
        afterCommit.Add(() => _details.TryRemove((kind, fullName), out _));
    }

    /// <summary>A rename: the object and everything under it ('old.' prefix) move to the new name, in the same transaction.</summary>
    public void Rename(TranslationSession session, List<Action> afterCommit, string oldFullName, string newFullName)
    {
        using var command = session.CreateCommand("""
            UPDATE meta_securables SET full_name = $new || substr(full_name, length($old) + 1)
            WHERE full_name = $old OR substr(full_name, 1, length($old) + 1) = $old || '.'
            """);
        command.Parameters.AddWithValue("$old", oldFullName);
        command.Parameters.AddWithValue("$new", newFullName);
        command.ExecuteNonQuery();
        afterCommit.Add(() =>
        {
            foreach (var (key, details) in _details.ToList())
            {
                if (!StringComparer.OrdinalIgnoreCase.Equals(key.Item2, oldFullName) && !key.Item2.StartsWith(oldFullName + ".", StringComparison.OrdinalIgnoreCase)) continue;
                _details.TryRemove(key, out _);
                _details[(key.Item1, newFullName + key.Item2[oldFullName.Length..])] = details;
            }
        });
    }

    private sealed class KeyComparer : IEqualityComparer<(SecurableKind, string)>
    {
        public bool Equals((SecurableKind, string) x, (SecurableKind, string) y) =>
            x.Item1 == y.Item1 && StringComparer.OrdinalIgnoreCase.Equals(x.Item2, y.Item2);
        public int GetHashCode((SecurableKind, string) obj) => HashCode.Combine(obj.Item1, StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Item2));
    }
}
