namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>
/// Tests that change the shared emulator's faults, measure the process's memory or tick the scheduler over every
/// config: xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: faults, memory, scheduler";
}
