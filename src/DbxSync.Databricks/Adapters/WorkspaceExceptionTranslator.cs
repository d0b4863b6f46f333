using System.Runtime.CompilerServices;
using DbxSync.Core.Errors;

namespace DbxSync.Databricks.Adapters;

/// <summary>Maps client exceptions onto the Core port's WorkspaceException, field for field.</summary>
internal static class WorkspaceExceptionTranslator
{
    public static WorkspaceException Translate(DatabricksRequestFailedException e) =>
        new(e.Kind, e.Message, e.Status, e.ErrorCode, e.ErrorClass, e.SqlState, e.IsTransient, e);

    /// <summary>A connection dropped while a body was being streamed, after the retry handler was done with it.</summary>
    public static WorkspaceException BrokenStream(Exception e) =>
        new(WorkspaceErrorKind.Unreachable, $"The connection to the workspace broke while streaming data ({e.GetType().Name}).", isTransient: true);

    public static async Task<T> Run<T>(Func<Task<T>> call)
    {
        try { return await call().ConfigureAwait(false); }
        catch (DatabricksRequestFailedException e) { throw Translate(e); }
        catch (Exception e) when (e is HttpRequestException or IOException) { throw BrokenStream(e); }
    }

    public static async Task Run(Func<Task> call)
    {
        try { await call().ConfigureAwait(false); }
        catch (DatabricksRequestFailedException e) { throw Translate(e); }
        catch (Exception e) when (e is HttpRequestException or IOException) { throw BrokenStream(e); }
    }

    public static async IAsyncEnumerable<T> Run<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var e = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try { more = await e.MoveNextAsync().ConfigureAwait(false); }
            catch (DatabricksRequestFailedException ex) { throw Translate(ex); }
            catch (Exception ex) when (ex is HttpRequestException or IOException) { throw BrokenStream(ex); }
            if (!more) yield break;
            yield return e.Current;
        }
    }
}
