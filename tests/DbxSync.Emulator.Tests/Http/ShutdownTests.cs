using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>The emulator as ./dbxsync up runs it: a separate process that must stop cleanly and promptly on SIGTERM.</summary>
public sealed partial class ShutdownTests
{
    [Fact]
    public async Task Sigterm_stops_the_process_promptly_with_exit_code_0()
    {
        if (OperatingSystem.IsWindows())
            return; // SIGTERM is a POSIX signal
        var dataDirectory = Path.Combine(Path.GetTempPath(), "dbxsync-emulator-sigterm-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DbxSync.Emulator.dll"), "--port", "0", "--data-dir", dataDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            var baseUrl = await ReadListeningUrlAsync(process);
            // An idle keep-alive connection stays open across the signal, as a client pool would leave it.
            using var client = new HttpClient();
            (await client.GetAsync(baseUrl + "/.well-known/databricks-config")).Dispose();

            var signalled = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(timeout.Token);
            signalled.Stop();

            Assert.Equal(0, process.ExitCode);
            // The bug was more than 20 s; the shutdown timeout is 1 s, the rest is process teardown on a busy machine.
            Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(8), $"took {signalled.Elapsed.TotalSeconds:0.0} s to stop");
            Assert.DoesNotContain("Unhandled exception", await process.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<string> ReadListeningUrlAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (ListeningLine().Match(line) is { Success: true } match)
                return match.Groups[1].Value;
        throw new InvalidOperationException("The emulator exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex("listening on (http://\\S+)")]
    private static partial Regex ListeningLine();
}
