namespace DbxSync.Core.Errors;

/// <summary>Input that cannot be accepted. Field names the offending input (snake_case as in the API).</summary>
public sealed class ValidationException(string message, string? field = null, string errorType = "validation-error") : Exception(message)
{
    public string? Field { get; } = field;
    /// <summary>Stable machine-readable kind, becomes the problem type.</summary>
    public string ErrorType { get; } = errorType;
}

public sealed class NotFoundException(string message, string errorType = "not-found") : Exception(message)
{
    public string ErrorType { get; } = errorType;
}

/// <summary>The request conflicts with current state (in use, already exists).</summary>
public sealed class ConflictException(string message, string errorType = "conflict") : Exception(message)
{
    public string ErrorType { get; } = errorType;
}

/// <summary>An optimistic-concurrency check failed (ETag moved).</summary>
public sealed class ConcurrencyException(string message) : Exception(message);

/// <summary>A storage operation failed. Carries the HTTP status and the service error code.</summary>
public class StorageException(string message, int status, string? errorCode, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;
    public bool IsTransient => Status is 408 or 429 or 500 or 502 or 503 or 504;
}
