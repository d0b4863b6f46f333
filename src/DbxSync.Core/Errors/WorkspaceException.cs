namespace DbxSync.Core.Errors;

public enum WorkspaceErrorKind
{
    /// <summary>The workspace URL is not acceptable (scheme, host, userinfo...). No request was sent.</summary>
    InvalidWorkspaceUrl,
    /// <summary>The workspace refused the credentials (wrong client secret or token).</summary>
    InvalidCredentials,
    PermissionDenied,
    NotFound,
    /// <summary>The workspace could not be reached (DNS, connection, TLS, timeout).</summary>
    Unreachable,
    Throttled,
    /// <summary>A SQL statement failed; see ErrorClass and SqlState.</summary>
    SqlError,
    Conflict,
    BadRequest,
    Other,
}

/// <summary>A Databricks workspace call failed. Never carries a secret, token or presigned URL.</summary>
public sealed class WorkspaceException(
    WorkspaceErrorKind kind,
    string message,
    int? status = null,
    string? errorCode = null,
    string? errorClass = null,
    string? sqlState = null,
    bool isTransient = false,
    Exception? inner = null) : Exception(message, inner)
{
    public WorkspaceErrorKind Kind { get; } = kind;
    public int? Status { get; } = status;
    /// <summary>Databricks error_code, e.g. RESOURCE_DOES_NOT_EXIST or BAD_REQUEST.</summary>
    public string? ErrorCode { get; } = errorCode;
    /// <summary>The bracketed error class of a SQL failure, e.g. DELTA_MISSING_CHANGE_DATA.</summary>
    public string? ErrorClass { get; } = errorClass;
    public string? SqlState { get; } = sqlState;
    public bool IsTransient { get; } = isTransient;
}
