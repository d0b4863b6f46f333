using DbxSync.Core.Configs;
using DbxSync.Core.Principals;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

/// <summary>
/// The first step of a timer run of a sync that can probe (<see cref="IChangeProbe"/>): before the lease, one state
/// query (source, checkpoint, schedule), the sync's read-only probe, and when nothing changed one conditional write of
/// the schedule (next due time, adaptive interval, last checked). No lease, nothing written to the source or to blobs,
/// no run row: an unchanged config costs its probe and that one write. Anything else goes on to the run under the
/// lease, which judges it as it always did; a failing probe too, so errors are classified in one place.
/// </summary>
public sealed class UnchangedProbe(ServicePrincipalService principals, WarehouseResolver warehouses, SyncStateRepository state, RunAftermath aftermath, TimeProvider time, ILogger logger)
{
    /// <summary>The finished no-change run, or null when the run must go on under the lease.</summary>
    public async Task<SyncRun?> TryAsync(SyncConfig config, ISync sync, SyncRun run, RunRequest request, CancellationToken cancellationToken)
    {
        if (sync is not IChangeProbe probe || request.Trigger != RunTrigger.Timer) return null;
        ProbeState probeState;
        SyncResult? result;
        try
        {
            var stateRead = state.GetProbeStateAsync(config, cancellationToken);
            var principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken);
            var workspace = await principals.ConnectAsync(principal, cancellationToken);
            var warehouse = config.RunsSql ? await warehouses.ResolveAsync(config, principal, workspace, cancellationToken) : null;
            probeState = await stateRead;
            var context = new SyncContext(config, workspace, warehouse, request.Trigger, run.RunId, request.SubjectBlob, null, logger);
            result = await probe.ProbeAsync(context, probeState, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug("The probe of config {ConfigId} could not tell ({Error}); the run decides under its lease", config.Id, SyncRunner.Describe(ex));
            return null;
        }
        if (result is null) return null;
        var finished = run with
        {
            FinishedAt = time.GetUtcNow(), Outcome = RunOutcome.NoChange, FromVersion = result.FromVersion, ToVersion = result.ToVersion, Message = result.Message,
        };
        return await aftermath.ScheduleNextAsync(config, finished, finalDelivery: false, probeState.Schedule, CancellationToken.None);
    }
}
