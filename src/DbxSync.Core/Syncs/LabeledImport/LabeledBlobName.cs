namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Which blob names a table_reverse config imports, the same for the blob event and the scan: a .csv under
/// labeled/{config}/ whose path has no empty, '.' or '..' segment, no backslash and no percent-encoded separator,
/// so no name can resolve to another config's files.
/// </summary>
public static class LabeledBlobName
{
    private static readonly string[] EncodedSeparators = ["%2f", "%5c", "%2e"];

    public static bool IsImportable(string configId, string blobName)
    {
        if (!blobName.StartsWith(configId + "/", StringComparison.Ordinal)) return false;
        if (!blobName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return false;
        if (blobName.Contains('\\') || EncodedSeparators.Any(e => blobName.Contains(e, StringComparison.OrdinalIgnoreCase))) return false;
        return blobName.Split('/').All(segment => segment is not ("" or "." or ".."));
    }
}
