namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Which blob names a table_reverse config imports, the same for the blob event and the scan: a .csv under
/// labeled/{config}/ whose path has no empty, '.' or '..' segment, no backslash and no percent-encoded separator,
/// so no name can resolve to another config's files.
/// </summary>
public static class LabeledBlobName
{
    private static readonly string[] EncodedSeparators = ["%2f", "%5c", "%2e"];

    public static bool IsImportable(string configId, string blobName) => IsImportable(configId, blobName, [".csv"]);

    /// <summary>The same rules for another kind of dropped file (annotations_reverse: JSON Lines).</summary>
    public static bool IsImportable(string configId, string blobName, IReadOnlyList<string> extensions)
    {
        if (!blobName.StartsWith(configId + "/", StringComparison.Ordinal)) return false;
        if (!extensions.Any(e => blobName.EndsWith(e, StringComparison.OrdinalIgnoreCase))) return false;
        if (blobName.Contains('\\') || EncodedSeparators.Any(e => blobName.Contains(e, StringComparison.OrdinalIgnoreCase))) return false;
        return blobName.Split('/').All(segment => segment is not ("" or "." or ".."));
    }
}
