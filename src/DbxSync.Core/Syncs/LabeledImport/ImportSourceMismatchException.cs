namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// The MERGE source did not yield the rows validation counted, so the MERGE was not run: the file is valid, the
/// workspace read it differently. The table is unchanged and the file is not failed: a permanent failure (the
/// config's error episode, one alert), since reading the same file again reads it the same way. A file replaced
/// during the import is not this: its reads are bound to the validated ETag and its new version has its own event.
/// </summary>
public sealed class ImportSourceMismatchException(string message) : Exception(message);
