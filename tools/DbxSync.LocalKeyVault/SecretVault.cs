using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DbxSync.LocalKeyVault;

/// <summary>
/// The vault's state and rules: versions, soft delete, purge, recover. Thread-safe through one lock:
/// a development vault sees few requests, and one lock keeps the rules easy to check.
/// </summary>
internal sealed partial class SecretVault
{
    private readonly Dictionary<string, StoredSecret> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private readonly LocalKeyVaultOptions _options;

    public SecretVault(LocalKeyVaultOptions options)
    {
        _options = options;
        if (options.DataFilePath is { } path && File.Exists(path))
        {
            var loaded = JsonSerializer.Deserialize<List<StoredSecret>>(File.ReadAllText(path), PersistenceJson) ?? [];
            foreach (var secret in loaded.Where(s => s.Versions.Count > 0))
                _secrets[secret.Name] = secret;
        }
    }

    public int Count { get { lock (_gate) return _secrets.Count; } }

    public SnapshotVersion Set(string name, string value, SecretChanges changes)
    {
        ValidateName(name);
        lock (_gate)
        {
            var secret = FindIncludingDeleted(name);
            if (secret is { IsDeleted: true })
                throw new VaultError(409, "Conflict",
                    $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                    "ObjectIsDeletedButRecoverable");

            var now = Now();
            var version = new StoredSecretVersion
            {
                Version = NewVersionId(),
                Value = value,
                ContentType = changes.ContentType,
                Tags = changes.Tags ?? [],
                Enabled = changes.Enabled ?? true,
                NotBefore = changes.NotBefore,
                Expires = changes.Expires,
                Created = now,
                Updated = now,
            };
            if (secret is null)
                _secrets[name] = secret = new StoredSecret { Name = name };
            secret.Versions.Add(version);
            Persist();
            return new SnapshotVersion(secret.Name, version.Clone(), null);
        }
    }

    /// <summary>Latest version when <paramref name="version"/> is null. Disabled versions are refused as the service does.</summary>
    public SnapshotVersion Get(string name, string? version)
    {
        ValidateName(name);
        lock (_gate)
        {
            var found = FindVersion(name, version);
            if (!found.Enabled)
                throw new VaultError(403, "Forbidden", "Operation get is not allowed on a disabled secret.");
            return new SnapshotVersion(FindLive(name)!.Name, found.Clone(), null);
        }
    }

    public SnapshotVersion Update(string name, string? version, SecretChanges changes)
    {
        ValidateName(name);
        lock (_gate)
        {
            var found = FindVersion(name, version);
            if (changes.ContentType is not null) found.ContentType = changes.ContentType;
            if (changes.Tags is not null) found.Tags = changes.Tags;
            if (changes.Enabled is not null) found.Enabled = changes.Enabled.Value;
            if (changes.NotBefore is not null) found.NotBefore = changes.NotBefore;
            if (changes.Expires is not null) found.Expires = changes.Expires;
            found.Updated = Now();
            Persist();
            return new SnapshotVersion(FindLive(name)!.Name, found.Clone(), null);
        }
    }

    /// <summary>Live secrets ordered by name, each represented by its latest version.</summary>
    public IReadOnlyList<SnapshotVersion> ListSecrets()
    {
        lock (_gate)
        {
            DropExpiredDeletions();
            return _secrets.Values.Where(s => !s.IsDeleted)
                .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
                .Select(s => new SnapshotVersion(s.Name, s.Latest.Clone(), null))
                .ToList();
        }
    }

    public IReadOnlyList<SnapshotVersion> ListVersions(string name)
    {
        ValidateName(name);
        lock (_gate)
        {
            var secret = FindLive(name) ?? throw VaultError.SecretNotFound(name);
            return secret.Versions.Select(v => new SnapshotVersion(secret.Name, v.Clone(), null)).ToList();
        }
    }

    public SnapshotVersion Delete(string name)
    {
        ValidateName(name);
        lock (_gate)
        {
            var secret = FindLive(name) ?? throw VaultError.SecretNotFound(name);
            var now = Now();
            secret.DeletedDate = now;
            secret.ScheduledPurgeDate = now + (long)TimeSpan.FromDays(_options.RecoverableDays).TotalSeconds;
            Persist();
            return Deleted(secret);
        }
    }

    public SnapshotVersion GetDeleted(string name)
    {
        ValidateName(name);
        lock (_gate)
            return Deleted(FindDeleted(name));
    }

    public IReadOnlyList<SnapshotVersion> ListDeleted()
    {
        lock (_gate)
        {
            DropExpiredDeletions();
            return _secrets.Values.Where(s => s.IsDeleted)
                .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
                .Select(Deleted)
                .ToList();
        }
    }

    public void Purge(string name)
    {
        ValidateName(name);
        lock (_gate)
        {
            var secret = FindDeleted(name);
            if (!_options.PurgeAllowed)
                throw new VaultError(403, "Forbidden",
                    $"Operation \"purge\" is not allowed because purge protection is enabled for this vault. Secret {secret.Name} will be purged after its retention period.");
            _secrets.Remove(secret.Name);
            Persist();
        }
    }

    public SnapshotVersion Recover(string name)
    {
        ValidateName(name);
        lock (_gate)
        {
            var secret = FindDeleted(name);
            secret.DeletedDate = null;
            secret.ScheduledPurgeDate = null;
            Persist();
            return new SnapshotVersion(secret.Name, secret.Latest.Clone(), null);
        }
    }

    public static void ValidateName(string name)
    {
        if (!ValidName().IsMatch(name))
            throw VaultError.BadParameter($"The request URI contains an invalid name: {Truncate(name)}. Secret names are 1-127 characters of 0-9, a-z, A-Z and -.");
    }

    private StoredSecretVersion FindVersion(string name, string? version)
    {
        var secret = FindLive(name) ?? throw VaultError.SecretNotFound(name);
        if (version is null) return secret.Latest;
        return secret.Versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase))
            ?? throw VaultError.VersionNotFound(name, version);
    }

    private StoredSecret? FindLive(string name) => FindIncludingDeleted(name) is { IsDeleted: false } s ? s : null;

    private StoredSecret FindDeleted(string name) =>
        FindIncludingDeleted(name) is { IsDeleted: true } s ? s : throw VaultError.DeletedSecretNotFound(name);

    private StoredSecret? FindIncludingDeleted(string name)
    {
        DropExpiredDeletions();
        return _secrets.GetValueOrDefault(name);
    }

    /// <summary>The service purges soft-deleted secrets once retention ends; do the same lazily.</summary>
    private void DropExpiredDeletions()
    {
        var now = Now();
        var expired = _secrets.Values.Where(s => s.ScheduledPurgeDate <= now).Select(s => s.Name).ToList();
        foreach (var name in expired) _secrets.Remove(name);
        if (expired.Count > 0) Persist();
    }

    private static SnapshotVersion Deleted(StoredSecret secret) =>
        new(secret.Name, secret.Latest.Clone(), new DeletionInfo(secret.DeletedDate!.Value, secret.ScheduledPurgeDate!.Value));

    private long Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();

    private static string NewVersionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Truncate(string name) => name.Length <= 40 ? name : name[..40] + "...";

    /// <summary>Writes the whole state atomically (temp file then rename) so a crash never leaves half a file.</summary>
    private void Persist()
    {
        if (_options.DataFilePath is not { } path) return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_secrets.Values.ToList(), PersistenceJson));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    private static readonly JsonSerializerOptions PersistenceJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex ValidName();
}

/// <summary>A copy of one version taken under the vault lock, so the HTTP layer renders it without holding the lock.</summary>
internal sealed record SnapshotVersion(string Name, StoredSecretVersion Version, DeletionInfo? Deletion);

internal sealed record DeletionInfo(long DeletedDate, long ScheduledPurgeDate);
