using System.Diagnostics;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>Runs a repository shell script (tools/*.sh) from the repository root and collects what it printed.</summary>
public static class Script
{
    public static (int ExitCode, string Output) Run(string relativePath, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(RepoPaths.Combine(relativePath.Split('/')));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{relativePath} did not finish within 180 s.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
