using DbxSync.Core.Errors;

namespace DbxSync.Databricks;

/// <summary>
/// A Databricks call failed. The message is built from redacted server text: it never holds a secret,
/// a token or a presigned URL.
/// </summary>
public sealed class DatabricksRequestFailedException : Exception
{
    public DatabricksRequestFailedException(
        WorkspaceErrorKind kind,
        string message,
        int? status = null,
        string? errorCode = null,
        string? errorClass = null,
        string? sqlState = null,
        string? reason = null,
        string? requestId = null,
        bool isTransient = false,
        Exception? inner = null) : base(message, inner)
    {
        Kind = kind;
        Status = status;
        ErrorCode = errorCode;
        ErrorClass = errorClass;
        SqlState = sqlState;
        Reason = reason;
        RequestId = requestId;
        IsTransient = isTransient;
    }

    public WorkspaceErrorKind Kind { get; }
    /// <summary>HTTP status; null when no response arrived or for a FAILED statement (which is HTTP 200).</summary>
    public int? Status { get; }
    public string? ErrorCode { get; }
    public string? ErrorClass { get; }
    public string? SqlState { get; }
    /// <summary>google.rpc.ErrorInfo reason, e.g. FILES_API_DIRECTORY_IS_NOT_EMPTY.</summary>
    public string? Reason { get; }
    /// <summary>x-request-id of the failed response, for support tickets.</summary>
    public string? RequestId { get; }
    public bool IsTransient { get; }
}
