namespace DbxSync.Azure.Storage;

/// <summary>DbxSync:Storage. Locally a connection string (Azurite); in Azure an account name or service URIs and the managed identity.</summary>
public sealed class StorageSettings
{
    public const string Section = "DbxSync:Storage";
    public string? ConnectionString { get; set; }
    public string? AccountName { get; set; }
    public Uri? BlobServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public Uri? TableServiceUri { get; set; }

    public Uri ServiceUri(string service, Uri? explicitUri) =>
        explicitUri ?? (string.IsNullOrWhiteSpace(AccountName)
            ? throw new InvalidOperationException($"Storage is not configured: set {Section}:ConnectionString (local) or {Section}:AccountName (managed identity in Azure).")
            : new Uri($"https://{AccountName}.{service}.core.windows.net/"));
}
