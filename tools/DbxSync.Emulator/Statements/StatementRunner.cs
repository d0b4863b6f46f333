using DbxSync.Emulator.Admin;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Sql;
using DbxSync.Emulator.Warehouses;

namespace DbxSync.Emulator.Statements;

/// <summary>
/// Executes a statement on its own thread: the engine's lazy row enumerable is consumed there and
/// nowhere else, and rows go straight to the spool.
/// </summary>
public sealed class StatementRunner(
    ISqlEngine engine, FaultInjector faults, EmulatorStats stats, EmulatorOptions options, TimeProvider time,
    WorkspaceWarehouseConfig warehouseConfig, ILogger<StatementRunner> logger)
{
    public void Start(StatementRecord record) =>
        Task.Factory.StartNew(() => Run(record), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(StatementRecord record)
    {
        var cancellation = record.Cancellation.Token;
        var request = record.Request;
        try
        {
            if (!record.TryMarkRunning())
                return;

            if (faults.TakeStatementFailure(request.Statement) is var (failAfter, error))
            {
                Wait(failAfter, cancellation);
                record.Fail(new StatementFailure(error.ErrorCode,
                    $"[{error.ErrorClass}] The statement failed part-way (injected by the emulator). SQLSTATE: {error.SqlState}", error.SqlState), time.GetUtcNow());
                return;
            }

            Wait(faults.DelayFor(request.Statement), cancellation);

            stats.CountStatement(request.Statement);
            var context = new EngineContext(record.Principal.UserName, request.Catalog, request.Schema, warehouseConfig.TimeZone);
            var result = engine.Execute(request.Statement, request.Parameters, context, cancellation);
            var outcome = SpoolRows(record, result, cancellation);

            if (request.Disposition == ResultDisposition.Inline && outcome.TotalByteCount > options.InlineResultByteLimit)
            {
                record.Fail(new StatementFailure("BAD_REQUEST",
                    $"[INLINE_RESULT_TOO_LARGE] The result ({outcome.TotalByteCount} bytes) exceeds the INLINE limit of {options.InlineResultByteLimit} bytes; use disposition EXTERNAL_LINKS or row_limit/byte_limit. SQLSTATE: 54000",
                    "54000"), time.GetUtcNow());
                return;
            }
            record.Succeed(outcome, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            record.MarkCanceled(time.GetUtcNow());
        }
        catch (EngineException ex)
        {
            record.Fail(new StatementFailure(ex.ErrorCode, $"[{ex.ErrorClass}] {ex.Message} SQLSTATE: {ex.SqlState}", ex.SqlState), time.GetUtcNow());
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Statement {StatementId} crashed in the engine", record.Id);
            record.Fail(new StatementFailure("INTERNAL_ERROR", $"[INTERNAL_ERROR] {ex.GetType().Name}: {ex.Message} SQLSTATE: XX000", "XX000"), time.GetUtcNow());
        }
        finally
        {
            if (record.State != StatementState.Succeeded)
                DeleteSpool(record);
            logger.LogInformation("Statement {StatementId} finished as {State}", record.Id, record.State);
        }
    }

    private StatementOutcome SpoolRows(StatementRecord record, EngineResult result, CancellationToken cancellation)
    {
        var request = record.Request;
        using var spool = new ResultSpool(record.SpoolDirectory, options.ChunkRowCount, options.ChunkByteLimit);
        var truncated = false;
        foreach (var row in result.Rows)
        {
            cancellation.ThrowIfCancellationRequested();
            if (spool.TotalRowCount >= request.RowLimit || spool.TotalByteCount >= request.ByteLimit)
            {
                truncated = true;
                break;
            }
            spool.Add(row);
        }
        var chunks = spool.Complete();
        return new StatementOutcome(result.Columns, chunks, spool.TotalRowCount, spool.TotalByteCount, truncated);
    }

    private static void Wait(TimeSpan delay, CancellationToken cancellation)
    {
        if (delay > TimeSpan.Zero && cancellation.WaitHandle.WaitOne(delay))
            cancellation.ThrowIfCancellationRequested();
        cancellation.ThrowIfCancellationRequested();
    }

    public static void DeleteSpool(StatementRecord record)
    {
        try
        {
            if (Directory.Exists(record.SpoolDirectory))
                Directory.Delete(record.SpoolDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A download may still hold a chunk open; the store's sweep or shutdown retries.
        }
    }
}
