using Azure.Core;

namespace DbxSync.Azure.Storage;

/// <summary>
/// Options shared by the blob, queue and table clients. Retry (from <see cref="ClientOptions"/>)
/// covers 408/429/500/502/503/504 and network errors with exponential backoff; the defaults here
/// bound the budget so that a dead endpoint fails within about half a minute instead of hanging a sync.
/// </summary>
public sealed class StorageClientOptions : ClientOptions
{
    public const int DefaultBlockSize = 8 * 1024 * 1024;
    public const int DefaultDownloadChunkSize = 4 * 1024 * 1024;

    public StorageClientOptions()
    {
        Retry.MaxRetries = 4;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(400);
        Retry.MaxDelay = TimeSpan.FromSeconds(8);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }

    /// <summary>2025-11-05 is the newest version Azurite 3.37 accepts without --skipApiVersionCheck.</summary>
    public string BlobServiceVersion { get; set; } = "2025-11-05";
    public string QueueServiceVersion { get; set; } = "2025-11-05";
    /// <summary>The version Azure.Data.Tables sends; newer ones add nothing for entities.</summary>
    public string TableServiceVersion { get; set; } = "2019-02-02";

    /// <summary>Upload block size; also the memory one upload holds. Blobs up to this size go in one Put Blob.</summary>
    public int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>Size of each ranged GET of a streamed download.</summary>
    public int DownloadChunkSize { get; set; } = DefaultDownloadChunkSize;

    internal string VersionFor(StorageServiceKind service) => service switch
    {
        StorageServiceKind.Blob => BlobServiceVersion,
        StorageServiceKind.Queue => QueueServiceVersion,
        _ => TableServiceVersion,
    };
}
