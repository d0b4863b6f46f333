using DbxSync.Core.Errors;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.LabeledImport;

namespace DbxSync.Core.Runs;

/// <summary>
/// Names what a failure is, from Databricks' error codes, SQL error classes and SQLSTATEs and storage statuses
/// (Databricks "Error handling" and "Error classes" docs; reference/databricks-api.md §3 and §6):
/// transient (retry), permanent (the config enters its error state), or data (the labeled file is wrong).
/// </summary>
public static class FailureClassifier
{
    /// <summary>Statement error codes of the SQL Statement Execution API that a later attempt may not see.</summary>
    private static readonly HashSet<string> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        "INTERNAL_ERROR", "UNKNOWN", "IO_ERROR", "ABORTED", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "CANCELLED", "CANCELED",
        "TEMPORARILY_UNAVAILABLE", "WORKSPACE_TEMPORARILY_UNAVAILABLE", "SERVICE_UNDER_MAINTENANCE", "REQUEST_LIMIT_EXCEEDED",
    };

    /// <summary>
    /// Error classes that mean the object or the right to it is gone: table, schema, catalog, volume, path, permission.
    /// SQLSTATE class 42 (syntax error or access rule violation) covers most of them; these name the rest.
    /// </summary>
    private static readonly HashSet<string> PermanentErrorClasses = new(StringComparer.Ordinal)
    {
        "TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NO_SUCH_CATALOG_EXCEPTION", "CATALOG_NOT_FOUND", "VOLUME_NOT_FOUND",
        "PATH_NOT_FOUND", "INSUFFICIENT_PERMISSIONS", "PERMISSION_DENIED", "UNAUTHORIZED_ACCESS", "DELTA_TABLE_NOT_FOUND",
        "DELTA_MISSING_DELTA_TABLE", "WAREHOUSE_NOT_FOUND",
    };

    /// <summary>
    /// The values of the file do not fit the table: SQLSTATE classes 21 (cardinality: two file rows for one key),
    /// 22 (data exception: cast, overflow, malformed record) and 23 (integrity constraint: NOT NULL, CHECK).
    /// </summary>
    public static bool IsDataError(WorkspaceException ex)
        => ex.Kind == WorkspaceErrorKind.SqlError && !ex.IsTransient
           && ex.SqlState is { Length: 5 } state && state[..2] is "21" or "22" or "23";

    public static FailureClass Classify(Exception ex) => ex switch
    {
        WorkspaceException w => Classify(w),
        StorageException s => s.IsTransient || s.Status is 404 or 409 or 412 ? FailureClass.Transient : FailureClass.Permanent,
        // Another writer moved the state between our read and write: the next attempt reads it again.
        ConcurrencyException or ConflictException => FailureClass.Transient,
        HttpRequestException or TimeoutException or IOException => FailureClass.Transient,
        // The config, its principal or its warehouse is not usable as configured: retrying changes nothing.
        ValidationException or NotFoundException => FailureClass.Permanent,
        // A valid labeled file the workspace reads as other rows: the same read gives the same rows, so a retry cannot
        // help, and the file is not wrong by the rules it was validated by, so it is not failed either. It stays.
        ImportSourceMismatchException => FailureClass.Permanent,
        // Anything else is a fault no retry is known to fix: one alert, then backoff, rather than a retry storm.
        _ => FailureClass.Permanent,
    };

    private static FailureClass Classify(WorkspaceException w)
    {
        if (w.IsTransient || w.Kind is WorkspaceErrorKind.Throttled or WorkspaceErrorKind.Unreachable) return FailureClass.Transient;
        switch (w.Kind)
        {
            // Secret revoked or rotated, principal removed, grant revoked, object deleted, URL refused.
            case WorkspaceErrorKind.InvalidCredentials or WorkspaceErrorKind.PermissionDenied or WorkspaceErrorKind.NotFound
                or WorkspaceErrorKind.InvalidWorkspaceUrl:
                return FailureClass.Permanent;
            case WorkspaceErrorKind.SqlError:
                if (w.ErrorClass is { } c && PermanentErrorClasses.Contains(c)) return FailureClass.Permanent;
                if (w.ErrorCode is { } code && TransientErrorCodes.Contains(code)) return FailureClass.Transient;
                if (w.ErrorCode is "NOT_FOUND" or "UNAUTHENTICATED" or "PERMISSION_DENIED") return FailureClass.Permanent;
                // A statement refused for what it names or may do (SQLSTATE class 42) fails the same way next time.
                if (w.SqlState is { Length: 5 } state && state.StartsWith("42", StringComparison.Ordinal)) return FailureClass.Permanent;
                return w.ErrorClass is null ? FailureClass.Transient : FailureClass.Permanent;
            case WorkspaceErrorKind.BadRequest:
                // 400 on REST calls: a warehouse id or path the workspace refuses (warehouse deleted, bad path).
                return FailureClass.Permanent;
            default:
                // Conflict, Other (e.g. "outcome unknown" after a dropped connection): a new delivery checks again.
                return FailureClass.Transient;
        }
    }
}
