using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>
/// The real Bicep CLI, restored from NuGet (Azure.Bicep.CommandLine.linux-x64, its tools/bicep): the compiler,
/// the linter and the local deployment evaluator (snapshot) for infra/. The csproj passes its path in.
/// </summary>
public static class BicepCli
{
    private static readonly Lazy<string> ExecutableLazy = new(Locate);

    /// <summary>"file(line,col) : Warning BCP081: ..." as the CLI prints every diagnostic in its default format.</summary>
    private static readonly Regex Diagnostic = new(@"\(\d+,\d+\) : (Error|Warning|Info) [\w-]+:", RegexOptions.Compiled);

    public static string Executable => ExecutableLazy.Value;

    public static BicepRun Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"bicep {string.Join(' ', arguments)} did not finish within 180 s.");
        }
        var output = stdout.Result + stderr.Result;
        var diagnostics = output.Split('\n').Select(l => l.TrimEnd()).Where(l => Diagnostic.IsMatch(l)).ToList();
        return new BicepRun(process.ExitCode, output, diagnostics);
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepCliPath")?.Value;
        Assert.False(string.IsNullOrEmpty(path), "The test assembly has no BicepCliPath metadata (see DbxSync.Deployment.Tests.csproj).");
        Assert.True(File.Exists(path), $"The Bicep CLI is not at {path}; `dotnet restore` brings package Azure.Bicep.CommandLine.linux-x64.");
        // NuGet extracts files without their execute bits.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & execute) != execute) File.SetUnixFileMode(path, mode | execute);
        }
        return path!;
    }
}

public sealed record BicepRun(int ExitCode, string Output, IReadOnlyList<string> Diagnostics)
{
    public void AssertClean(string what)
    {
        Assert.True(ExitCode == 0 && Diagnostics.Count == 0,
            $"{what}: exit code {ExitCode}, {Diagnostics.Count} diagnostic(s):{Environment.NewLine}{Output}");
    }
}
