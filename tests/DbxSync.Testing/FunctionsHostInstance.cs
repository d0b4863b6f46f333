using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DbxSync.Testing;

/// <summary>
/// The local Functions host (tools/DbxSync.FunctionsHost) running a built isolated-worker app, as a child process on a
/// free port; it stops when this process ends, even if killed (it watches its standard input). It builds nothing: the host and the app must already be built (a ProjectReference with
/// ReferenceOutputAssembly=false orders the build). Use <see cref="GetSharedAsync"/> for one host per test process.
/// </summary>
public sealed class FunctionsHostInstance : IAsyncDisposable
{
    private static readonly object SharedGate = new();
    private static Task<FunctionsHostInstance>? _shared;
    private static string? _sharedApp;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private FunctionsHostInstance(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:port/ of the host's HTTP side.</summary>
    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>What the host (and the worker through it) logged so far.</summary>
    public IReadOnlyCollection<string> Output => _output.ToArray();

    /// <summary>Build configuration of the running tests (Debug/Release), used to find other projects' outputs.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).SkipWhile(part => part != "bin").Skip(1).FirstOrDefault() ?? "Debug";

    /// <summary>The built host's dll.</summary>
    public static string HostDll => RepoPaths.Combine("tools", "DbxSync.FunctionsHost", "bin", Configuration, "net10.0", "DbxSync.FunctionsHost.dll");

    /// <summary>The build output of a project in this repository, e.g. ProjectOutput("src/DbxSync.Functions").</summary>
    public static string ProjectOutput(string projectDirectory) => RepoPaths.Combine(projectDirectory, "bin", Configuration, "net10.0");

    /// <summary>One host per test process for <paramref name="appDirectory"/>; settings become its (and the worker's) environment.</summary>
    public static Task<FunctionsHostInstance> GetSharedAsync(string appDirectory, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string>? extraArguments = null)
    {
        lock (SharedGate)
        {
            if (_shared is not null)
            {
                return _sharedApp == appDirectory
                    ? _shared
                    : throw new InvalidOperationException($"This test process already runs a shared host for {_sharedApp}.");
            }

            _sharedApp = appDirectory;
            _shared = StartAsync(appDirectory, settings, extraArguments);
            return _shared;
        }
    }

    public static async Task<FunctionsHostInstance> StartAsync(string appDirectory, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string>? extraArguments = null)
    {
        if (!File.Exists(HostDll))
            throw new InvalidOperationException($"{HostDll} is missing: build tools/DbxSync.FunctionsHost first.");
        if (!File.Exists(Path.Combine(appDirectory, "worker.config.json")))
            throw new InvalidOperationException($"{appDirectory} holds no built isolated worker (worker.config.json is missing).");

        var port = FreePort();
        var start = new ProcessStartInfo(Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = appDirectory,
        };
        foreach (var argument in (string[])[HostDll, "--app", appDirectory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--stop-on-stdin-close", .. extraArguments ?? []])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in settings)
            start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("The Functions host did not start.");
        var instance = new FunctionsHostInstance(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => instance.Record(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.StopAsync().GetAwaiter().GetResult();
        await instance.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return instance;
    }

    /// <summary>The host's own view: whether a worker is up, its process id and how many times one was started.</summary>
    public async Task<HostStatus> GetStatusAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var json = await client.GetStringAsync("admin/host/status");
        return JsonSerializer.Deserialize<HostStatus>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>Waits until a worker is running with its functions loaded (again, after a restart).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Functions host exited with code {_process.ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, Output.TakeLast(60))}");
            try
            {
                if ((await GetStatusAsync()).State == "Running")
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The Functions host was not ready within {timeout.TotalSeconds} s:{Environment.NewLine}{string.Join(Environment.NewLine, Output.TakeLast(60))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Stops the host as Ctrl-C/SIGTERM does (it terminates its worker), killing it only if it hangs.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
            return;
        // Closing its standard input asks the host to stop, as SIGTERM does: WorkerTerminate, grace period, exit.
        _process.StandardInput.Close();
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the host process alone with SIGKILL, as an OOM kill or a crash would: it can stop nothing of its own.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Record(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > 5000)
            _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>GET /admin/host/status of the local host.</summary>
public sealed record HostStatus(string State, int? WorkerProcessId, int WorkerStarts, string? WorkerHttpUri);
