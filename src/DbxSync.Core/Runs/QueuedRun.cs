namespace DbxSync.Core.Runs;

/// <summary>
/// One run waiting in the queue. The run id is chosen when it is enqueued so that a manual run can be polled
/// before it starts, and so that every delivery of the same message updates the same run record.
/// </summary>
public sealed record QueuedRun(string ConfigId, RunTrigger Trigger, string RunId);
