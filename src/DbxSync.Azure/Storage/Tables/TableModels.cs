namespace DbxSync.Azure.Storage.Tables;

public enum TableUpdateMode
{
    /// <summary>Properties not sent are kept.</summary>
    Merge,
    /// <summary>The entity becomes exactly what is sent.</summary>
    Replace,
}

public sealed record TableEntityPage(IReadOnlyList<TableEntity> Entities, TableContinuation? Continuation);
