namespace DbxSync.LocalKeyVault;

/// <summary>One secret name with its versions (oldest first) and, when soft-deleted, its deletion times.</summary>
internal sealed class StoredSecret
{
    public required string Name { get; set; }
    public List<StoredSecretVersion> Versions { get; set; } = [];
    public long? DeletedDate { get; set; }
    public long? ScheduledPurgeDate { get; set; }

    public bool IsDeleted => DeletedDate is not null;
    /// <summary>Key Vault serves the most recently created version as "latest".</summary>
    public StoredSecretVersion Latest => Versions[^1];
}

internal sealed class StoredSecretVersion
{
    public required string Version { get; set; }
    public required string Value { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string> Tags { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public long? NotBefore { get; set; }
    public long? Expires { get; set; }
    public long Created { get; set; }
    public long Updated { get; set; }

    public StoredSecretVersion Clone() => new()
    {
        Version = Version, Value = Value, ContentType = ContentType, Tags = new(Tags),
        Enabled = Enabled, NotBefore = NotBefore, Expires = Expires, Created = Created, Updated = Updated,
    };
}

/// <summary>What a set or update request may change; null means "leave as is".</summary>
internal sealed record SecretChanges(
    string? ContentType,
    Dictionary<string, string>? Tags,
    bool? Enabled,
    long? NotBefore,
    long? Expires);
