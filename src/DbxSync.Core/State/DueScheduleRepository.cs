using DbxSync.Core.Errors;
using DbxSync.Core.Ports;

namespace DbxSync.Core.State;

/// <summary>
/// Reads and writes each config's <see cref="DueSchedule"/> (SyncState row "schedule") with ETag concurrency: every
/// change is read-modify-write and is redone when another instance moved the row in between.
/// </summary>
public sealed class DueScheduleRepository(IStateStore store, TimeProvider time)
{
    public const string Row = "schedule";
    private const int MaxConflicts = 8;

    public async Task<DueSchedule> GetAsync(string configId, CancellationToken cancellationToken = default)
        => await store.GetAsync(StateTables.SyncState, configId, Row, cancellationToken) is { } e ? FromEntity(e) : new DueSchedule { ConfigId = configId };

    /// <summary>Every config's schedule in one query (the list pages), by config id.</summary>
    public async Task<Dictionary<string, DueSchedule>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, DueSchedule>(StringComparer.Ordinal);
        await foreach (var e in store.QueryRowKeyAsync(StateTables.SyncState, Row, cancellationToken))
            all[e.PartitionKey] = FromEntity(e);
        return all;
    }

    /// <summary>Schedules the config's next run at <paramref name="at"/> for <paramref name="reason"/>; keeps its error episode.</summary>
    public Task<DueSchedule> SetNextDueAsync(string configId, DateTimeOffset at, DueReason reason, CancellationToken cancellationToken = default)
        => UpdateAsync(configId, s => s with { NextDueAt = at, Reason = reason }, cancellationToken);

    /// <summary>Applies <paramref name="change"/> to the current schedule, again on a concurrent write, and saves it.</summary>
    public Task<DueSchedule> UpdateAsync(string configId, Func<DueSchedule, DueSchedule> change, CancellationToken cancellationToken = default)
        => UpdateAsync(configId, null, change, cancellationToken);

    /// <summary>
    /// As above, starting from <paramref name="known"/> (the row as read a moment ago, with its ETag): no read first,
    /// only when another instance wrote the row since.
    /// </summary>
    public async Task<DueSchedule> UpdateAsync(string configId, DueSchedule? known, Func<DueSchedule, DueSchedule> change, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = attempt == 1 && known is not null ? known : await GetAsync(configId, cancellationToken);
            try
            {
                return await SaveAsync(change(current), cancellationToken);
            }
            catch (Exception ex) when (ex is ConcurrencyException or ConflictException && attempt < MaxConflicts)
            {
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="changed"/> only if the row is still the one <paramref name="changed"/> was read as
    /// (its ETag; no row: only if none exists). False when another instance wrote it first.
    /// </summary>
    public async Task<bool> TrySaveAsync(DueSchedule changed, CancellationToken cancellationToken = default)
    {
        try
        {
            await SaveAsync(changed, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is ConcurrencyException or ConflictException)
        {
            return false;
        }
    }

    private async Task<DueSchedule> SaveAsync(DueSchedule schedule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entity = new StateEntity
        {
            PartitionKey = schedule.ConfigId,
            RowKey = Row,
            ETag = schedule.ETag,
            Properties =
            {
                ["NextDueAt"] = schedule.NextDueAt,
                ["Reason"] = schedule.Reason.ToString(),
                ["Error"] = schedule.Error is { Length: > 8000 } e ? e[..8000] + "…" : schedule.Error,
                ["ErrorSince"] = schedule.ErrorSince,
                ["ConsecutiveFailures"] = schedule.ConsecutiveFailures,
                ["AlertedAt"] = schedule.AlertedAt,
                ["IntervalSeconds"] = schedule.IntervalSeconds,
                ["LastCheckedAt"] = schedule.LastCheckedAt,
                ["UnchangedSince"] = schedule.UnchangedSince,
                ["UpdatedAt"] = now,
            },
        };
        var saved = schedule.ETag is null
            ? await store.InsertAsync(StateTables.SyncState, entity, cancellationToken)
            : await store.UpsertAsync(StateTables.SyncState, entity, cancellationToken);
        return schedule with { UpdatedAt = now, ETag = saved.ETag };
    }

    internal static DueSchedule FromEntity(StateEntity e) => new()
    {
        ConfigId = e.PartitionKey,
        NextDueAt = EntityValues.Time(e, "NextDueAt"),
        Reason = Enum.TryParse<DueReason>(e.GetString("Reason"), out var r) ? r : DueReason.Due,
        Error = e.GetString("Error"),
        ErrorSince = EntityValues.Time(e, "ErrorSince"),
        ConsecutiveFailures = EntityValues.Int(e, "ConsecutiveFailures") ?? 0,
        AlertedAt = EntityValues.Time(e, "AlertedAt"),
        IntervalSeconds = EntityValues.Int(e, "IntervalSeconds"),
        LastCheckedAt = EntityValues.Time(e, "LastCheckedAt"),
        UnchangedSince = EntityValues.Time(e, "UnchangedSince"),
        UpdatedAt = EntityValues.Time(e, "UpdatedAt"),
        ETag = e.ETag,
    };
}
