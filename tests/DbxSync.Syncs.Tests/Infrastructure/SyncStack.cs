using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Emulator;
using DbxSync.Functions.Hosting;
using DbxSync.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>
/// The app's own composition (AddDbxSyncCore + AddDbxSyncAdapters, configured with the keys the app reads) against
/// the shared Azurite, the shared local Key Vault and the shared emulator. One per test: its own principal, its
/// own tables/volumes (unique names), its own configs.
/// </summary>
public sealed class SyncStack : IAsyncDisposable
{
    public const string Catalog = "synctests";
    public const string Schema = "labeling";
    private static readonly SemaphoreSlim InitGate = new(1, 1);
    private static bool _initialized;
    private static string? _certificatePath;

    private readonly ServiceProvider _provider;
    private readonly List<string> _configIds = [];

    private SyncStack(ServiceProvider provider, EmulatorInstance emulator, LogCapture logs)
    {
        _provider = provider;
        Emulator = emulator;
        Logs = logs;
    }

    public EmulatorInstance Emulator { get; }
    public EmulatorHandle Handle => Emulator.Handle ?? throw new InvalidOperationException("needs the in-process emulator");
    public LogCapture Logs { get; }
    public IServiceProvider Services => _provider;
    public IBlobStore Blobs => _provider.GetRequiredService<IBlobStore>();
    public IStateStore State => _provider.GetRequiredService<IStateStore>();
    public ISyncRunner Runner => _provider.GetRequiredService<ISyncRunner>();
    public BlobDropDispatcher Dispatcher => _provider.GetRequiredService<BlobDropDispatcher>();
    public SyncScheduler Scheduler => _provider.GetRequiredService<SyncScheduler>();
    public SyncConfigService ConfigService => _provider.GetRequiredService<SyncConfigService>();
    public SyncRunRepository RunRepository => _provider.GetRequiredService<SyncRunRepository>();
    public ISyncLock Locks => _provider.GetRequiredService<ISyncLock>();
    public ServicePrincipal Principal { get; private set; } = null!;
    public IDatabricksWorkspace Workspace { get; private set; } = null!;

    public static async Task<SyncStack> CreateAsync(Action<IServiceCollection>? configure = null)
    {
        var emulator = await EmulatorInstance.GetAsync();
        var vault = await LocalKeyVaultInstance.GetAsync();
        var storage = AzuriteInstance.Shared.ConnectionString;
        var certificatePath = CertificatePath(vault);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.StorageConnectionString] = storage,
            [SettingNames.KeyVaultUri] = vault.VaultUri.ToString(),
            [SettingNames.KeyVaultDevToken] = vault.AcceptedToken,
            [SettingNames.KeyVaultTrustedCertificatePath] = certificatePath,
            [SettingNames.AllowedWorkspaceHosts] = new Uri(emulator.Host).GetLeftPart(UriPartial.Authority),
        }).Build();

        var logs = new LogCapture();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        services.AddSingleton(WorkspaceSettings.From(configuration));
        services.AddDbxSyncCore(configuration);
        services.AddDbxSyncAdapters(configuration);
        // Shorter pause between attempts of a run: the behaviour is the same, the suite is faster.
        services.AddSingleton(new SyncRunnerOptions { RetryDelay = TimeSpan.FromMilliseconds(200) });
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();

        var stack = new SyncStack(provider, emulator, logs);
        await stack.InitializeAsync();
        return stack;
    }

    private static string CertificatePath(LocalKeyVaultInstance vault)
    {
        lock (InitGate)
        {
            if (_certificatePath is null)
            {
                var path = Path.Combine(Path.GetTempPath(), $"dbxsync-synctests-kv-{Guid.NewGuid():N}.pem");
                File.WriteAllText(path, vault.Certificate.ExportCertificatePem());
                AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { File.Delete(path); } catch (IOException) { } };
                _certificatePath = path;
            }
            return _certificatePath;
        }
    }

    private async Task InitializeAsync()
    {
        await InitGate.WaitAsync();
        try
        {
            if (!_initialized)
            {
                foreach (var table in StateTables.All) await State.EnsureTableAsync(table);
                foreach (var container in BlobContainers.All) await Blobs.EnsureContainerAsync(container);
                _initialized = true;
            }
        }
        finally
        {
            InitGate.Release();
        }

        var principals = _provider.GetRequiredService<ServicePrincipalService>();
        Principal = await principals.RegisterAsync(new RegisterPrincipalRequest(
            Emulator.Host, Emulator.ClientId, Emulator.ClientSecret, null, "synctests", Emulator.WarehouseId));
        Workspace = await principals.ConnectAsync(Principal.Id);
        await SqlAsync($"CREATE CATALOG IF NOT EXISTS {Catalog}");
        await SqlAsync($"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}");
    }

    // ---------- workspace ----------

    public async Task<List<string?[]>> QueryAsync(string sql, IReadOnlyList<SqlParameter>? parameters = null)
    {
        var result = await Workspace.ExecuteAsync(sql, parameters, new StatementOptions { WarehouseId = Emulator.WarehouseId, LargeResult = true });
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    public Task SqlAsync(string sql) => QueryAsync(sql);

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A table (id BIGINT, text STRING, score DOUBLE, label STRING) with rows 1..count unlabeled.</summary>
    public async Task<string> CreateItemsTableAsync(int count, bool changeDataFeed)
    {
        var table = $"{Catalog}.{Schema}.{UniqueName("items")}";
        var properties = changeDataFeed ? " TBLPROPERTIES (delta.enableChangeDataFeed = true)" : "";
        await SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, score DOUBLE, label STRING){properties}");
        if (count > 0) await InsertItemsAsync(table, 1, count);
        return table;
    }

    public static string TextFor(long id) => $"item, \"number\" {id}";

    public async Task InsertItemsAsync(string table, long firstId, int count)
    {
        for (var start = firstId; start < firstId + count; start += 500)
        {
            var values = Enumerable.Range(0, (int)Math.Min(500, firstId + count - start)).Select(i => start + i)
                .Select(i => string.Create(CultureInfo.InvariantCulture, $"({i}, '{TextFor(i)}', {i % 100 / 10.0}, NULL)"));
            await SqlAsync($"INSERT INTO {table} (id, text, score, label) VALUES {string.Join(", ", values)}");
        }
    }

    /// <summary>id -> label (null when unlabeled), every row of the table.</summary>
    public async Task<SortedDictionary<long, string?>> LabelsAsync(string table)
    {
        var map = new SortedDictionary<long, string?>();
        foreach (var row in await QueryAsync($"SELECT id, label FROM {table}"))
            map.Add(long.Parse(row[0]!, CultureInfo.InvariantCulture), row[1]);
        return map;
    }

    /// <summary>Every row as one line of text, ordered: for "the table did not change" comparisons.</summary>
    public async Task<List<string>> SnapshotAsync(string table)
        => (await QueryAsync($"SELECT * FROM {table} ORDER BY id")).Select(r => string.Join("|", r.Select(c => c ?? "<null>"))).ToList();

    public async Task<List<(long Version, string Operation)>> HistoryAsync(string table)
    {
        var result = await Workspace.ExecuteAsync($"DESCRIBE HISTORY {table}", null, new StatementOptions { WarehouseId = Emulator.WarehouseId });
        int version = result.Columns.First(c => c.Name == "version").Position, operation = result.Columns.First(c => c.Name == "operation").Position;
        var list = new List<(long, string)>();
        await foreach (var row in result.ReadRowsAsync()) list.Add((long.Parse(row[version]!, CultureInfo.InvariantCulture), row[operation]!));
        return list;
    }

    public async Task<long> VersionAsync(string table) => (await HistoryAsync(table)).Max(h => h.Version);

    public async Task<string> CreateVolumeAsync(string prefix = "vol")
    {
        var name = UniqueName(prefix);
        await SqlAsync($"CREATE VOLUME IF NOT EXISTS {Catalog}.{Schema}.{name}");
        return $"/Volumes/{Catalog}/{Schema}/{name}";
    }

    // ---------- configs ----------

    public async Task<SyncConfig> CreateConfigAsync(SyncConfigInput input)
    {
        var config = await ConfigService.CreateAsync(input with { ServicePrincipalId = Principal.Id, Name = input.Name ?? "synctests " + input.ConfigType });
        lock (_configIds) _configIds.Add(config.Id);
        return config;
    }

    public Task<SyncConfig> CreateTableConfigAsync(string table) => CreateConfigAsync(new SyncConfigInput
    {
        ConfigType = "table", DatabricksPath = table, PkColumn = "id", LabelColumn = "label",
    });

    public async Task<SyncConfig> CreateImportConfigAsync(string table, bool useStaging)
    {
        string? staging = useStaging ? await CreateVolumeAsync("staging") : null;
        return await CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "table_reverse", DatabricksPath = table, PkColumn = "id", LabelColumn = "label",
            UseStaging = useStaging, StagingVolumePath = staging,
        });
    }

    public Task<SyncRun> RunAsync(string configId, RunTrigger trigger = RunTrigger.Manual, string? subject = null)
        => Runner.RunAsync(new RunRequest(configId, trigger, subject));

    /// <summary>The config's row "schedule": next due time, reason, error episode.</summary>
    public Task<DueSchedule> ScheduleAsync(string configId) => _provider.GetRequiredService<DueScheduleRepository>().GetAsync(configId);

    /// <summary>The error-state alerts sync-runs-poison holds for a config (the queue operators alert on).</summary>
    public Task<List<JsonElement>> PoisonAlertsAsync(string configId) => PoisonQueue.MessagesAsync(AzuriteInstance.Shared.ConnectionString, configId);

    // ---------- blobs ----------

    public async Task<byte[]> ReadBlobAsync(string container, string name)
    {
        await using var stream = await Blobs.OpenReadAsync(container, name);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    public async Task<List<BlobItem>> ListAsync(string container, string prefix)
    {
        var list = new List<BlobItem>();
        await foreach (var b in Blobs.ListAsync(container, prefix)) list.Add(b);
        return list;
    }

    public Task<BlobItem> UploadAsync(string container, string name, byte[] content)
        => Blobs.UploadAsync(container, name, new MemoryStream(content), new BlobWriteOptions { ContentType = "text/csv" });

    public Task<BlobItem> UploadTextAsync(string container, string name, string content)
        => UploadAsync(container, name, Encoding.UTF8.GetBytes(content));

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _configIds)
        {
            try { await ConfigService.DeleteAsync(id, null); }
            catch (Exception) { /* best effort: a leftover config is paused by tests that tick the scheduler */ }
        }
        await _provider.DisposeAsync();
    }
}

/// <summary>Keeps what the app logged, to assert that a fallback was logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries => _entries.ToList();

    public bool Contains(string text, LogLevel? level = null)
        => _entries.Any(e => e.Message.Contains(text, StringComparison.OrdinalIgnoreCase) && (level is null || e.Level == level));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner._entries.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
