using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DbxSync.Testing;

/// <summary>
/// One Azurite per test process, shared by all tests (they use unique container/table/queue names).
/// DBXSYNC_TEST_STORAGE_CONNECTION_STRING wins, so a test runner can start one Azurite per run.
/// </summary>
public sealed class AzuriteInstance : IDisposable
{
    public const string ConnectionStringVariable = "DBXSYNC_TEST_STORAGE_CONNECTION_STRING";
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<AzuriteInstance> SharedLazy = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _nameCounter;

    private readonly Process? _process;

    private AzuriteInstance(string connectionString, Process? process = null)
    {
        ConnectionString = connectionString;
        _process = process;
    }

    public static AzuriteInstance Shared => SharedLazy.Value;

    /// <summary>Explicit endpoints plus the devstoreaccount1 key.</summary>
    public string ConnectionString { get; }

    /// <summary>A lowercase name unique in this process and across runs, valid for containers, queues and (without '-') tables.</summary>
    public static string UniqueName(string prefix) =>
        $"{prefix}{Interlocked.Increment(ref _nameCounter)}x{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 20)].ToLowerInvariant();

    /// <summary>
    /// The app's tables and containers have fixed names, so test assemblies sharing one Azurite would see each
    /// other's configs. `./dbxsync test` starts Azurite with one account per test assembly (AZURITE_ACCOUNTS) and
    /// says so in DBXSYNC_TEST_STORAGE_ACCOUNTS; this picks the one named after the running assembly.
    /// </summary>
    private static string ForThisTestAssembly(string connectionString)
    {
        var accounts = (Environment.GetEnvironmentVariable("DBXSYNC_TEST_STORAGE_ACCOUNTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var match = System.Text.RegularExpressions.Regex.Match(AppContext.BaseDirectory, @"DbxSync\.(\w+)\.Tests");
        if (!match.Success) return connectionString;
        var account = "dbxsync" + match.Groups[1].Value.ToLowerInvariant();
        return accounts.Contains(account) ? connectionString.Replace(DevAccount, account, StringComparison.Ordinal) : connectionString;
    }

    private static AzuriteInstance Start()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return new AzuriteInstance(ForThisTestAssembly(fromEnvironment));
        return Launch();
    }

    /// <summary>
    /// An Azurite of its own, for a test whose app instances must see nothing of the shared account (timers that
    /// would schedule other tests' configs). Dispose stops it.
    /// </summary>
    public static AzuriteInstance StartPrivate() => Launch();

    public void Dispose()
    {
        if (_process is not null)
            Stop(_process);
    }

    private static AzuriteInstance Launch()
    {
        var executable = RepoPaths.Combine("node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing). Run `npm ci` in {RepoPaths.Root} first.");
        // tools/azurite.js: the same CLI without the blob GC pass every 10 minutes that stalls every request.
        var launcher = RepoPaths.Combine("tools", "azurite.js");

        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        // Started under a watchdog shell: the test host is often ended by the test runner without its ProcessExit
        // handlers running, and each run then left its Azurite behind. The shell's own exit code is Azurite's.
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["DBXSYNC_TEST_PARENT_PID"] = Environment.ProcessId.ToString() },
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(WatchdogScript);
        startInfo.ArgumentList.Add("node");
        startInfo.ArgumentList.Add(launcher);
        foreach (var argument in new[]
                 {
                     "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Azurite did not start.");
        // Drain output so a chatty Azurite never blocks on a full pipe.
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                errors.Enqueue(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in new[] { blobPort, queuePort, tablePort })
        {
            while (!PortAnswers(port))
            {
                if (process.HasExited)
                    throw new InvalidOperationException(
                        $"Azurite exited with code {process.ExitCode} before listening on port {port}: {string.Join(Environment.NewLine, errors)}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Azurite did not listen on port {port} within 30 s.");
                Thread.Sleep(100);
            }
        }

        return new AzuriteInstance(
            process: process,
            connectionString: $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{DevAccount};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{DevAccount};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{DevAccount};");
    }

    /// <summary>Runs "$0 $@" and stops it when the test process (DBXSYNC_TEST_PARENT_PID) is gone.</summary>
    private const string WatchdogScript = """
        "$0" "$@" &
        child=$!
        ( while kill -0 "$DBXSYNC_TEST_PARENT_PID" 2>/dev/null; do sleep 1; done; kill "$child" 2>/dev/null ) &
        wait "$child"
        """;

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool PortAnswers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
