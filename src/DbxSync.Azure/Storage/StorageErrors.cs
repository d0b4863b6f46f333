using Azure;
using DbxSync.Core.Errors;

namespace DbxSync.Azure.Storage;

/// <summary>The one place where SDK failures become Core's exception types, so Core never sees Azure types.</summary>
internal static class StorageErrors
{
    public static Exception Map(RequestFailedException e, string subject, bool createOnly = false) => e switch
    {
        // A create-only write (If-None-Match: *) finds the target there: 409 from Put Blob, 412 from Commit Block List.
        { Status: 409 or 412 } when createOnly => new ConflictException($"{subject} already exists.", "already-exists"),
        { Status: 409, ErrorCode: "BlobAlreadyExists" or "EntityAlreadyExists" } => new ConflictException($"{subject} already exists.", "already-exists"),
        { Status: 412 } => new ConcurrencyException($"{subject} changed since it was read (ETag mismatch)."),
        // Status 0: no response at all (connection, DNS, timeout); worth retrying like a 503.
        { Status: 0 } => new StorageException($"Storage could not be reached for {subject}: {e.InnerException?.Message ?? e.Message}", 503, "ServiceUnreachable", e),
        _ => new StorageException($"Storage refused {subject}: {e.Status} {e.ErrorCode}.", e.Status, e.ErrorCode, e),
    };

    public static async Task<T> CallAsync<T>(string subject, Func<Task<T>> call, bool createOnly = false)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(e) is { } failure)
        {
            throw Map(failure, subject, createOnly);
        }
    }

    /// <summary>The SDK's failure, also when its retries ran out and it threw them all in an AggregateException.</summary>
    public static RequestFailedException? Failure(Exception e) =>
        e as RequestFailedException ?? (e as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().FirstOrDefault();

    public static Task CallAsync(string subject, Func<Task> call) =>
        CallAsync(subject, async () => { await call().ConfigureAwait(false); return true; });
}
