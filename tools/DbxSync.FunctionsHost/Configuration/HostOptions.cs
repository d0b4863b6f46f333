namespace DbxSync.FunctionsHost.Configuration;

/// <summary>What the command line sets: the built app, where to listen, and the local knobs Azure has no twin for.</summary>
public sealed class LocalHostOptions
{
    /// <summary>Folder of the built worker (holds worker.config.json, host.json and the app's dll).</summary>
    public required string AppDirectory { get; init; }

    public string ListenAddress { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 7071;

    /// <summary>A local.settings.json whose Values become app settings (the environment wins, as in Core Tools).</summary>
    public string? SettingsFile { get; init; }

    /// <summary>When set, Function-level HTTP functions need this key (Admin-level ones the master key); off by default as in Core Tools.</summary>
    public string? FunctionKey { get; init; }

    public string? MasterKey { get; init; }

    /// <summary>How often the local stand-in for Event Grid lists the blob-trigger containers.</summary>
    public TimeSpan BlobScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a worker gets to finish after WorkerTerminate before it is killed.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Lease period of the singleton listener locks around timers: SingletonOptions.ListenerLockPeriod, 60 s in Azure.
    /// Storage grants 15 to 60 s; a test may shorten it so a lock passes sooner after its holder dies.
    /// </summary>
    public TimeSpan ListenerLockPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an instance without a listener lock tries for it: ListenerLockRecoveryPollingInterval, 1 minute in Azure.</summary>
    public TimeSpan ListenerLockRecoveryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a received queue message stays invisible while its function runs, renewed at half-way: the queue
    /// listener's fixed 10 minutes in Azure (QueueListener). Local only: a test may shorten it.
    /// </summary>
    public TimeSpan QueueProcessingWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// --easyauth-stand-in [object id]: play App Service Authentication in front of the app (Http/EasyAuthStandIn),
    /// signing in as this principal. Off by default: then no request carries an identity header at all.
    /// </summary>
    public string? EasyAuthPrincipal { get; init; }

    /// <summary>Shut down when standard input closes: a parent that starts the host (a test run) cannot leave it behind.</summary>
    public bool StopOnStdinClose { get; init; }

    public static LocalHostOptions Parse(string[] args)
    {
        string? app = null, settings = null, key = null, master = null, address = null;
        int port = 7071;
        double? scan = null, grace = null, lockPeriod = null, lockRecovery = null, queueWindow = null;
        var stopOnStdinClose = false;
        string? easyAuthPrincipal = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--app": app = Next(); break;
                case "--port": port = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--address": address = Next(); break;
                case "--settings": settings = Next(); break;
                case "--function-key": key = Next(); break;
                case "--master-key": master = Next(); break;
                case "--blob-scan-seconds": scan = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--grace-seconds": grace = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--listener-lock-seconds": lockPeriod = Seconds(Next()); break;
                case "--listener-lock-recovery-seconds": lockRecovery = Seconds(Next()); break;
                case "--queue-window-seconds": queueWindow = Seconds(Next()); break;
                case "--stop-on-stdin-close": stopOnStdinClose = true; break;
                case "--easyauth-stand-in":
                    easyAuthPrincipal = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "00000000-0000-0000-0000-00000000ea51";
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        if (lockPeriod is < 15 or > 60)
            throw new ArgumentException("--listener-lock-seconds must be from 15 to 60 (the lease periods Storage grants).");
        if (lockRecovery is <= 0 || queueWindow is <= 0)
            throw new ArgumentException("--listener-lock-recovery-seconds and --queue-window-seconds must be positive.");
        if (app is null)
            throw new ArgumentException("--app <folder of a built isolated worker> is required.");
        return new LocalHostOptions
        {
            AppDirectory = Path.GetFullPath(app),
            Port = port,
            ListenAddress = address ?? "127.0.0.1",
            SettingsFile = settings is null ? null : Path.GetFullPath(settings),
            FunctionKey = key,
            MasterKey = master,
            BlobScanInterval = scan is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(1),
            StopOnStdinClose = stopOnStdinClose,
            EasyAuthPrincipal = easyAuthPrincipal,
            GracePeriod = grace is { } g ? TimeSpan.FromSeconds(g) : TimeSpan.FromSeconds(10),
            ListenerLockPeriod = TimeSpan.FromSeconds(lockPeriod ?? 60),
            ListenerLockRecoveryInterval = TimeSpan.FromSeconds(lockRecovery ?? 60),
            QueueProcessingWindow = TimeSpan.FromSeconds(queueWindow ?? 600),
        };
    }

    private static double Seconds(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    public const string Usage =
        "usage: DbxSync.FunctionsHost --app <built worker folder> [--port 7071] [--address 127.0.0.1] [--settings local.settings.json]\n" +
        "                             [--function-key K] [--master-key K] [--blob-scan-seconds 1] [--grace-seconds 10]\n" +
        "                             [--listener-lock-seconds 60] [--listener-lock-recovery-seconds 60] [--queue-window-seconds 600]\n" +
        "                             [--stop-on-stdin-close] [--easyauth-stand-in [object id]]";
}
