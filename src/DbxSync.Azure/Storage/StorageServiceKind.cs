namespace DbxSync.Azure.Storage;

public enum StorageServiceKind
{
    Blob,
    Queue,
    Table,
}
