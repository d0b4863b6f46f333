namespace DbxSync.Core.State;

/// <summary>
/// What a probe before the lease reads of a config's state, in one query (<see cref="SyncStateRepository.GetProbeStateAsync"/>):
/// whether the state still describes the config's source, the checkpoint, and the schedule (with its ETag, so the
/// probe's one write is conditional on what it read).
/// </summary>
public sealed record ProbeState(bool SourceUnchanged, SyncCheckpoint Checkpoint, DueSchedule Schedule);
