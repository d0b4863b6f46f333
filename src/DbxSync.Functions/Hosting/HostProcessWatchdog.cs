using System.Runtime.InteropServices;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Stops the worker when the Functions host that started it is gone. The host normally ends its worker itself
/// (WorkerTerminate, then a kill), but a host killed outright (SIGKILL, an OOM kill) cannot, and worker 2.x keeps
/// running when its gRPC stream breaks: locally that leaves an orphan serving HTTP on its port and taking triggers'
/// work. Azure never leaves an orphan worker serving, so neither may we.
/// On Linux and macOS a process whose parent dies is re-parented (to init or a subreaper), so a change of the parent
/// pid means the host is gone. It runs only when a Functions host started this process (its --functions-uri sets
/// Functions:Worker:HostEndpoint), and acts only on a change, never on the parent it started with, so it cannot
/// stop a worker whose host is alive: in Azure it does nothing until the host itself has died.
/// </summary>
public sealed class HostProcessWatchdog(IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<HostProcessWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // How long a graceful stop may take before the process exits anyway: with its host gone, nothing waits for it.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(configuration["Functions:Worker:HostEndpoint"]) || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
            return;

        var host = GetParentProcessId();
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (GetParentProcessId() == host)
                    continue;
                logger.LogCritical("The Functions host (pid {HostPid}) that started this worker is gone; the worker stops.", host);
                lifetime.StopApplication();
                _ = Task.Delay(StopGrace, CancellationToken.None).ContinueWith(_ => Environment.Exit(1), TaskScheduler.Default);
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // getppid(2) cannot fail; .NET has no managed API for the parent pid.
    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
}
