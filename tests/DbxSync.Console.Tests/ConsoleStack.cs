using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using DbxSync.Azure.Adapters;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Hosting;
using DbxSync.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit;

namespace DbxSync.Console.Tests;

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleStack>
{
    public const string Name = "console";
}

/// <summary>
/// One local stack for the whole run, started empty: the run's Azurite, the local Key Vault, the Databricks emulator
/// (seeded with one unlabeled table and a volume) and the app in `serve` mode with its own timer ticking every second,
/// plus Debian's chromium driven by Playwright (ExecutablePath: nothing is downloaded).
/// </summary>
public sealed class ConsoleStack : IAsyncLifetime
{
    public const string AdminToken = "console-admin-token-5d1e";
    public const string ReaderToken = "console-reader-token-a27c";
    public const string Catalog = "main";
    public const string Schema = "labeling";
    public const string TableName = "reviews";
    public const string Table = $"{Catalog}.{Schema}.{TableName}";
    public const string StagingVolume = "/Volumes/main/labeling/staging";
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("DBXSYNC_CHROMIUM") ?? "/usr/bin/chromium";
    public static readonly string ScreenshotDirectory = RepoPaths.Combine(".dbxsync", "screenshots");

    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;
    private DatabricksConnector _connector = null!;

    public EmulatorInstance Emulator { get; private set; } = null!;
    public IBlobStore Blobs { get; private set; } = null!;
    public IDatabricksWorkspace Workspace { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string ConsoleUrl => new Uri(BaseAddress, "/console/").ToString();
    public HttpClient Admin { get; private set; } = null!;
    public TickCounter Ticks { get; } = new();

    public async Task InitializeAsync()
    {
        var emulatorTask = EmulatorInstance.GetAsync();
        var keyVault = await LocalKeyVaultInstance.GetAsync();
        var storage = await Task.Run(() => AzuriteInstance.Shared.ConnectionString);
        var certificatePath = Path.Combine(Path.GetTempPath(), $"dbxsync-console-tests-kv-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(certificatePath, keyVault.Certificate.ExportCertificatePem());
        Emulator = await emulatorTask;

        _connector = new DatabricksConnector(new DatabricksClientOptions { AllowedWorkspaceHosts = [Emulator.Host] });
        Workspace = _connector.Connect(new WorkspaceCredentials(Emulator.Host, WorkspaceAuthType.PersonalAccessToken, null, Emulator.Token, "console-tests"));
        await SeedWorkspaceAsync();
        Blobs = new BlobStore(new StorageClientsFactory(storage).Blobs);

        var settings = new Dictionary<string, string?>
        {
            ["port"] = "0",
            [SettingNames.StorageConnectionString] = storage,
            [SettingNames.KeyVaultUri] = keyVault.VaultUri.ToString(),
            [SettingNames.KeyVaultDevToken] = keyVault.AcceptedToken,
            [SettingNames.KeyVaultTrustedCertificatePath] = certificatePath,
            [SettingNames.AllowedWorkspaceHosts] = Emulator.Host,
            [SettingNames.ApiAuthMode] = "tokens",
            [SettingNames.ApiTokenSha256Hashes] = TokenHashList.HashOf(AdminToken),
            [SettingNames.ApiReadOnlyTokenSha256Hashes] = TokenHashList.HashOf(ReaderToken),
            [SettingNames.SchedulerTickSeconds] = "1",
        };
        _app = DbxSyncApplication.Build(["serve"], c => c.AddInMemoryCollection(settings), s => s.AddSingleton<ILoggerProvider>(Ticks))
            ?? throw new InvalidOperationException("no hosting mode");
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single());
        Admin = new HttpClient { BaseAddress = BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        await WaitForHealthAsync();

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in CI containers has no user namespaces for chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Admin?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _connector?.Dispose();
    }

    /// <summary>A fresh browser context (its own sessionStorage) at laptop or phone width.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        // confirm() dialogs (delete) are accepted as a user would.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name)
        => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public Task UploadAsync(string container, string name, string content)
        => Blobs.UploadAsync(container, name, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    public async Task<string> DownloadAsync(string container, string name)
    {
        await using var stream = await Blobs.OpenReadAsync(container, name);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    public async Task<List<string?[]>> QueryAsync(string sql)
    {
        var rows = new List<string?[]>();
        var result = await Workspace.ExecuteAsync(sql, options: new StatementOptions { WarehouseId = Emulator.WarehouseId });
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    public Task ExecuteAsync(string sql) => Workspace.ExecuteAsync(sql, options: new StatementOptions { WarehouseId = Emulator.WarehouseId, IsWrite = true });

    private async Task SeedWorkspaceAsync()
    {
        foreach (var statement in new[]
                 {
                     $"CREATE CATALOG IF NOT EXISTS {Catalog}",
                     $"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}",
                     $"DROP TABLE IF EXISTS {Table}",
                     $"CREATE TABLE {Table} (id BIGINT NOT NULL, text STRING, label STRING) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)",
                     $"CREATE VOLUME IF NOT EXISTS {Catalog}.{Schema}.staging",
                     $"INSERT INTO {Table} VALUES (1, 'a cat on a mat', NULL), (2, 'a dog in fog', NULL), (3, 'a bird on a wire', NULL), (4, 'a fish in a dish', NULL)",
                 })
            await ExecuteAsync(statement);
    }

    private async Task WaitForHealthAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var response = await Admin.GetAsync("/api/health");
                if (response.IsSuccessStatusCode || (int)response.StatusCode == 503 && (await response.Content.ReadAsStringAsync()).Contains("\"storage\":{\"status\":\"up\"", StringComparison.Ordinal))
                    return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the app did not become healthy");
            await Task.Delay(100);
        }
    }
}

/// <summary>Counts the scheduler's "Tick:" summaries, so a test knows timer ticks happened while a config was paused.</summary>
public sealed class TickCounter : ILoggerProvider
{
    private int _ticks;
    public int Count => Volatile.Read(ref _ticks);

    public ILogger CreateLogger(string categoryName) => categoryName.EndsWith("SyncScheduler", StringComparison.Ordinal) ? new Counter(this) : NullLoggerInstance;
    public void Dispose() { }

    private static readonly ILogger NullLoggerInstance = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private sealed class Counter(TickCounter owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Tick:", StringComparison.Ordinal)) Interlocked.Increment(ref owner._ticks);
        }
    }
}
