namespace DbxSync.StorageFaults;

/// <summary>The failures a storage account really answers now and then, which its clients are expected to retry.</summary>
public enum StorageErrorKind
{
    /// <summary>503 ServerBusy: the account or partition is over its scalability targets.</summary>
    ServerBusy,
    /// <summary>500 InternalError: the service failed the request.</summary>
    InternalError,
    /// <summary>The connection is reset before any answer (a front end recycled, a load balancer dropped it).</summary>
    ConnectionReset,
}
