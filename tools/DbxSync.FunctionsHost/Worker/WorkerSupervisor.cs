using System.Diagnostics;
using System.Text.Json.Nodes;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>
/// Starts the worker process the way the Functions host does (command line, environment, working directory),
/// runs its start-up conversation, restarts it with backoff when it exits, and on shutdown sends WorkerTerminate,
/// waits the grace period and kills whatever is left of the process tree.
/// </summary>
public sealed class WorkerSupervisor(
    LocalHostOptions options,
    AppSettings settings,
    GrpcEndpoint grpc,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : BackgroundService, IHostedLifecycleService
{
    private const string MaxMessageLength = "2147483647";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ILogger _log = loggers.CreateLogger("Host.Worker");
    private readonly object _gate = new();
    private TaskCompletionSource<WorkerConnection> _ready = NewReady();
    private WorkerConnection? _expected;
    private Process? _process;
    private volatile bool _stopping;

    /// <summary>Raised each time a worker has loaded its functions (after start and after every restart).</summary>
    public event Action<WorkerConnection>? WorkerReady;

    /// <summary>The process id of the current worker (for tests and diagnostics).</summary>
    public int? WorkerProcessId { get { lock (_gate) return _process is { HasExited: false } p ? p.Id : null; } }

    public int StartCount { get; private set; }

    public WorkerConnection? Expecting(string workerId)
    {
        lock (_gate)
            return _expected?.WorkerId == workerId ? _expected : null;
    }

    /// <summary>The worker that is up and has its functions loaded; waits while one starts or restarts.</summary>
    public Task<WorkerConnection> GetReadyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return _ready.Task.WaitAsync(cancellationToken);
    }

    public bool IsReady => ReadyWorker is not null;

    /// <summary>The worker that is up with its functions loaded, or null while one starts or restarts.</summary>
    public WorkerConnection? ReadyWorker
    {
        get { lock (_gate) return _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : null; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForServerAsync(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested && !_stopping)
        {
            var started = DateTime.UtcNow;
            try
            {
                await RunOneWorkerAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || _stopping)
            {
                break;
            }
            catch (Exception exception)
            {
                _log.LogError("Worker failed: {Message}", exception.Message);
            }

            if (stoppingToken.IsCancellationRequested || _stopping)
                break;
            // A worker that ran a while starts the backoff afresh; one that keeps dying waits longer each time.
            failures = DateTime.UtcNow - started > TimeSpan.FromMinutes(1) ? 1 : failures + 1;
            var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, failures - 1)));
            _log.LogWarning("Worker exited; restarting in {Delay} ms (attempt {Attempt}).", (int)delay.TotalMilliseconds, failures);
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs before any hosted service stops, so the worker gets WorkerTerminate while its gRPC stream is still open
    /// (Kestrel would otherwise wait for that stream during its own shutdown).
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        Process? process;
        WorkerConnection? connection;
        lock (_gate)
        {
            process = _process;
            connection = _expected;
        }

        if (process is { HasExited: false })
        {
            _log.LogInformation("Stopping: WorkerTerminate sent to worker {Pid}, grace period {Grace} s.", process.Id, options.GracePeriod.TotalSeconds);
            connection?.Terminate(options.GracePeriod);
            using var grace = new CancellationTokenSource(options.GracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _log.LogWarning("Worker {Pid} did not exit within the grace period; killing it.", process.Id);
            }

            KillTree(process);
        }
    }

    private async Task RunOneWorkerAsync(CancellationToken stoppingToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var connection = new WorkerConnection(workerId, loggers);
        var process = CreateProcess(workerId);
        lock (_gate)
        {
            _expected = connection;
            _process = process;
        }

        process.Start();
        StartCount++;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _log.LogInformation("Worker {Pid} started: {File} {Arguments}", process.Id, process.StartInfo.FileName, string.Join(' ', process.StartInfo.ArgumentList));
        var exited = process.WaitForExitAsync(CancellationToken.None)
            .ContinueWith(_ => connection.Close($"process exited with code {process.ExitCode}"), TaskScheduler.Default);
        try
        {
            using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            startTimeout.CancelAfter(StartTimeout);
            await connection.Attached.WaitAsync(startTimeout.Token);
            await connection.InitializeAsync(options.AppDirectory, startTimeout.Token);
            _log.LogInformation("Worker {Pid} ready with {Count} functions: {Names}", process.Id, connection.Functions.Count, string.Join(", ", connection.Functions.Keys));
            lock (_gate)
                _ready.TrySetResult(connection);
            WorkerReady?.Invoke(connection);
            await connection.Closed.WaitAsync(stoppingToken);
        }
        finally
        {
            lock (_gate)
            {
                if (_ready.Task.IsCompleted)
                    _ready = NewReady();
            }

            if (!_stopping)
            {
                KillTree(process);
                await exited;
                _log.LogWarning("Worker {Pid} exited with code {Code}.", process.Id, process.ExitCode);
            }
        }
    }

    private Process CreateProcess(string workerId)
    {
        var (executable, workerPath) = ReadWorkerConfig();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = options.AppDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var requestId = Guid.NewGuid().ToString();
        var uri = grpc.Uri;
        foreach (var argument in new[]
                 {
                     workerPath,
                     "--host", uri.Host, "--port", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", MaxMessageLength,
                     "--functions-uri", uri.AbsoluteUri, "--functions-worker-id", workerId,
                     "--functions-request-id", requestId, "--functions-grpc-max-message-length", MaxMessageLength,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        // The child inherits the host's environment (app settings in Azure); the settings file's Values come on top.
        foreach (var (name, value) in settings.FromFile)
            start.Environment.TryAdd(name, value);
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = options.AppDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = options.AppDirectory;
        start.Environment.TryAdd("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated");
        start.Environment.TryAdd("AZURE_FUNCTIONS_ENVIRONMENT", "Development");
        // As App Service tells an app whether its authentication is in front (Http/EasyAuthStandIn).
        start.Environment["WEBSITE_AUTH_ENABLED"] = options.EasyAuthPrincipal is null ? "False" : "True";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var console = loggers.CreateLogger("Worker.Console");
        process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
                console.LogInformation("{Line}", e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
                console.LogError("{Line}", e.Data);
        };
        return process;
    }

    /// <summary>worker.config.json (written by Worker.Sdk) names the executable and the worker's dll.</summary>
    private (string Executable, string WorkerPath) ReadWorkerConfig()
    {
        var path = Path.Combine(options.AppDirectory, "worker.config.json");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: --app must be the build output of an isolated worker app.");
        var description = JsonNode.Parse(File.ReadAllText(path))?["description"];
        var executable = description?["defaultExecutablePath"]?.GetValue<string>() ?? "dotnet";
        var workerPath = description?["defaultWorkerPath"]?.GetValue<string>()
                         ?? throw new InvalidOperationException($"{path} has no description.defaultWorkerPath.");
        workerPath = Path.Combine(options.AppDirectory, workerPath);
        if (executable == "dotnet" && Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            executable = self;
        return (executable, workerPath);
    }

    private async Task WaitForServerAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    private void KillTree(Process process)
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
        catch (System.ComponentModel.Win32Exception exception)
        {
            _log.LogWarning("Could not kill worker {Pid}: {Message}", process.Id, exception.Message);
        }
    }

    private static TaskCompletionSource<WorkerConnection> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The loopback h2c address the worker dials (--functions-uri).</summary>
public sealed record GrpcEndpoint(Uri Uri);
