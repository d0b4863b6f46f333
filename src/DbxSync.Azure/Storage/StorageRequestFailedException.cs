using DbxSync.Core.Errors;

namespace DbxSync.Azure.Storage;

/// <summary>
/// The one failure type of the storage clients: HTTP status plus the service error code
/// (x-ms-error-code, else the XML or JSON error body). Messages never carry credentials or query strings.
/// </summary>
public sealed class StorageRequestFailedException(string message, int status, string? errorCode, string? requestId = null, Exception? inner = null)
    : StorageException(message, status, errorCode, inner)
{
    public string? RequestId { get; } = requestId;

    public bool IsNotFound => Status == 404;
    /// <summary>An If-Match/If-None-Match (non-*) condition failed: the resource moved.</summary>
    public bool IsConditionFailed => Status == 412 && ErrorCode is null or "ConditionNotMet" or "UpdateConditionNotSatisfied";
    /// <summary>A create-only write found the resource already there.</summary>
    public bool IsAlreadyExists => Status == 409 && ErrorCode is "BlobAlreadyExists" or "EntityAlreadyExists"
        or "ContainerAlreadyExists" or "TableAlreadyExists" or "QueueAlreadyExists";
    /// <summary>A lease blocks the operation (someone else holds it, or our lease id is missing or stale).</summary>
    public bool IsLeaseConflict => ErrorCode is not null && ErrorCode.StartsWith("Lease", StringComparison.Ordinal);
}
