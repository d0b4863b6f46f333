namespace DbxSync.Core.Ports;

/// <summary>Properties of one stored blob. ETag is unquoted (normalised).</summary>
public sealed record BlobItem(
    string Container,
    string Name,
    long Length,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record BlobWriteOptions
{
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>Only write when the blob does not exist yet (If-None-Match: *).</summary>
    public bool CreateOnly { get; init; }
    /// <summary>Only write when the current ETag matches (If-Match).</summary>
    public string? IfMatch { get; init; }
}

/// <summary>A writable stream into a block blob; nothing is visible until <see cref="CommitAsync"/>.</summary>
public abstract class BlobWriteStream : Stream
{
    public abstract Task<BlobItem> CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The blob side of the syncs: containers of one storage account. Implementations stream;
/// memory is bounded by one block whatever the blob size.
/// </summary>
public interface IBlobStore
{
    Task EnsureContainerAsync(string container, CancellationToken cancellationToken = default);
    Task<BlobItem?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for sequential, asynchronous reading. Throws StorageException (404) when absent.</summary>
    Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default) =>
        OpenReadAsync(container, name, ifMatch: null, cancellationToken);

    /// <summary>
    /// As above, but only the version with ETag <paramref name="ifMatch"/> (when set): a blob replaced before or
    /// during the read fails with ConcurrencyException instead of mixing two versions.
    /// </summary>
    Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default);

    Task<BlobItem> UploadAsync(string container, string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default);
    Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default);
    IAsyncEnumerable<BlobItem> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>Returns false when the blob did not exist.</summary>
    Task<bool> DeleteAsync(string container, string name, CancellationToken cancellationToken = default) =>
        DeleteAsync(container, name, ifMatch: null, cancellationToken);

    /// <summary>Returns false when the blob did not exist; with <paramref name="ifMatch"/>, a blob that moved throws ConcurrencyException.</summary>
    Task<bool> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default);

    /// <summary>Server-side copy within the account.</summary>
    Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, CancellationToken cancellationToken = default) =>
        CopyAsync(sourceContainer, sourceName, targetContainer, targetName, sourceIfMatch: null, cancellationToken);

    /// <summary>
    /// Server-side copy within the account; with <paramref name="sourceIfMatch"/>, only that version of the source
    /// is copied (else ConcurrencyException).
    /// </summary>
    Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, string? sourceIfMatch, CancellationToken cancellationToken = default);

    /// <summary>
    /// A read-only URL of the blob that expires after <paramref name="validFor"/> (at most 7 days): a labeling
    /// platform downloads inputs by URL. With Entra ID a user-delegation SAS (no account key involved).
    /// </summary>
    Task<BlobReadUrl> GetReadUrlAsync(string container, string name, TimeSpan validFor, CancellationToken cancellationToken = default);
}

/// <summary>A read-only, expiring blob URL and how it was signed ("user_delegation" or "service").</summary>
public sealed record BlobReadUrl(Uri Url, DateTimeOffset ExpiresOn, string SignedWith)
{
    /// <summary>A user delegation key lives at most 7 days, and so does a SAS signed with it.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(7);

    // The URL is a bearer credential: never print it.
    public override string ToString() => $"read URL ({SignedWith}) expiring {ExpiresOn:O}";
}
