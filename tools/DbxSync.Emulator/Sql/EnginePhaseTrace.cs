using System.Diagnostics;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Optional phase timings for profiling large statements (MERGE, read_files). Off unless a sink is set,
/// so the cost when unused is one null check per phase.
/// </summary>
public static class EnginePhaseTrace
{
    public static Action<string>? Sink { get; set; }

    public static Phase Start(string name) => new(name, Sink == null ? 0 : Stopwatch.GetTimestamp());

    public readonly struct Phase(string name, long started) : IDisposable
    {
        public void Dispose()
        {
            if (started != 0) Sink?.Invoke($"{name}: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        }
    }
}
