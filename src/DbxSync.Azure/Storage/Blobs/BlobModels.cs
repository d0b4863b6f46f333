using Azure;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Conditions sent with a blob request. ETags may be quoted or not; they are sent quoted.</summary>
public sealed record BlobRequestConditions
{
    public ETag? IfMatch { get; init; }
    /// <summary><see cref="ETag.All"/> makes a write create-only.</summary>
    public ETag? IfNoneMatch { get; init; }
    /// <summary>Required on writes and deletes while a lease is held.</summary>
    public string? LeaseId { get; init; }
}

public sealed record BlobUploadOptions
{
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public BlobRequestConditions? Conditions { get; init; }
}

public sealed record BlobContentInfo(ETag ETag, DateTimeOffset LastModified, long ContentLength);

public sealed record BlobProperties(
    long ContentLength,
    string? ContentType,
    ETag ETag,
    DateTimeOffset LastModified,
    DateTimeOffset? CreatedOn,
    string? BlobType,
    string? LeaseState,
    string? LeaseStatus,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record BlobListItem(
    string Name,
    long ContentLength,
    string? ContentType,
    ETag ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record BlobListPage(IReadOnlyList<BlobListItem> Blobs, IReadOnlyList<string> Prefixes, string? NextMarker);

public sealed record BlobListOptions
{
    public string? Prefix { get; init; }
    /// <summary>Set to "/" to get virtual folders back as <see cref="BlobListPage.Prefixes"/>.</summary>
    public string? Delimiter { get; init; }
    /// <summary>maxresults per request; the service caps it at 5000.</summary>
    public int? PageSize { get; init; }
    public bool IncludeMetadata { get; init; } = true;
}

public sealed record BlobLease(string LeaseId, ETag ETag, DateTimeOffset LastModified);

public sealed record BlobCopyInfo(ETag ETag, DateTimeOffset LastModified, string? CopyStatus, bool CopiedServerSide);

/// <summary>A streamed GET: the caller owns and must dispose <see cref="Content"/>.</summary>
public sealed class BlobDownloadStreamingResult(Stream content, BlobProperties details, long totalLength) : IDisposable
{
    public Stream Content { get; } = content;
    public BlobProperties Details { get; } = details;
    /// <summary>The whole blob's length (from Content-Range), not the length of this range.</summary>
    public long TotalLength { get; } = totalLength;
    public void Dispose() => Content.Dispose();
}
