namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// The MERGE source did not yield the rows validation counted, so the MERGE was not run: the file is valid, the
/// workspace read it differently. The table is unchanged and the file is not failed.
/// </summary>
public sealed class ImportSourceMismatchException(string message) : Exception(message);
