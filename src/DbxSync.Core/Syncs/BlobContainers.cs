namespace DbxSync.Core.Syncs;

/// <summary>The containers of DbxSync's storage account (DESIGN.md section 3).</summary>
public static class BlobContainers
{
    public const string Exports = "exports";
    public const string Labeled = "labeled";
    public const string Processed = "processed";
    public const string Failed = "failed";
    public const string Volumes = "volumes";
    public const string Locks = "locks";
    /// <summary>annotations/{configId}/...jsonl: annotation files dropped by the labeling platform (annotations_reverse).</summary>
    public const string Annotations = "annotations";

    public static readonly string[] All = [Exports, Labeled, Processed, Failed, Volumes, Locks, Annotations];
}
