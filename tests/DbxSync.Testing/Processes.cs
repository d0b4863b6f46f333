using System.Diagnostics;

namespace DbxSync.Testing;

public static class Processes
{
    /// <summary>Whether a process with this id is still running (a worker the test expects gone, for instance).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
