using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Statements;

public enum StatementState { Pending, Running, Succeeded, Failed, Canceled, Closed }

public sealed record StatementFailure(string ErrorCode, string Message, string? SqlState);

public sealed record SpooledChunk(int ChunkIndex, long RowOffset, long RowCount, long ByteCount);

/// <summary>What a SUCCEEDED statement produced; rows live in the spool files, never in memory.</summary>
public sealed record StatementOutcome(
    IReadOnlyList<EngineColumn> Columns, IReadOnlyList<SpooledChunk> Chunks, long TotalRowCount, long TotalByteCount, bool Truncated);

/// <summary>One statement's lifecycle. State changes only move forward; terminal states are final (except SUCCEEDED -> CLOSED).</summary>
public sealed class StatementRecord(string id, StatementRequest request, AuthenticatedPrincipal principal, string spoolDirectory)
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StatementState _state = StatementState.Pending;

    public string Id { get; } = id;
    public StatementRequest Request { get; } = request;
    public AuthenticatedPrincipal Principal { get; } = principal;
    public string SpoolDirectory { get; } = spoolDirectory;
    public CancellationTokenSource Cancellation { get; } = new();

    public StatementState State { get { lock (_gate) return _state; } }
    public StatementFailure? Failure { get; private set; }
    public StatementOutcome? Outcome { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Completes when the statement reaches SUCCEEDED, FAILED or CANCELED.</summary>
    public Task Finished => _finished.Task;

    public bool IsTerminal => State is StatementState.Succeeded or StatementState.Failed or StatementState.Canceled or StatementState.Closed;

    public bool TryMarkRunning() => Transition(StatementState.Pending, StatementState.Running);

    public void Succeed(StatementOutcome outcome, DateTimeOffset now) =>
        Finish(StatementState.Succeeded, now, () => Outcome = outcome);

    public void Fail(StatementFailure failure, DateTimeOffset now) =>
        Finish(StatementState.Failed, now, () => Failure = failure);

    public void MarkCanceled(DateTimeOffset now) => Finish(StatementState.Canceled, now, () => { });

    /// <summary>Releases the result like Databricks does after the retention window.</summary>
    public bool TryClose()
    {
        lock (_gate)
        {
            if (_state != StatementState.Succeeded)
                return false;
            _state = StatementState.Closed;
            Outcome = null;
            return true;
        }
    }

    public void RequestCancel()
    {
        if (!IsTerminal)
            Cancellation.Cancel();
    }

    private bool Transition(StatementState from, StatementState to)
    {
        lock (_gate)
        {
            if (_state != from)
                return false;
            _state = to;
            return true;
        }
    }

    private void Finish(StatementState terminal, DateTimeOffset now, Action record)
    {
        lock (_gate)
        {
            if (_state is not (StatementState.Pending or StatementState.Running))
                return;
            record();
            FinishedAt = now;
            _state = terminal;
        }
        _finished.TrySetResult();
    }
}
