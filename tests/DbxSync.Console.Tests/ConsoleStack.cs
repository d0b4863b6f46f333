using System.Net.Http.Headers;
using System.Text;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Hosting;
using DbxSync.Testing;
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
/// (seeded with one unlabeled table and a volume), and the app under the local Functions host (HTTP, SyncTimer every
/// two seconds, the sync-runs queue and Event Grid-style blob triggers). Plus Debian's chromium driven by Playwright
/// (ExecutablePath: nothing is downloaded).
/// </summary>
public sealed class ConsoleStack : IAsyncLifetime
{
    public const string AdminToken = "console-admin-token-5d1e";
    public const string ReaderToken = "console-reader-token-a27c";
    public const string Catalog = "main";
    public const string Schema = "labeling";
    public const string TableName = "reviews";
    public const string Table = $"{Catalog}.{Schema}.{TableName}";
    /// <summary>SyncTimer every two seconds, so a paused config is seen to be passed by within a few seconds.</summary>
    private const string TimerSchedule = "*/2 * * * * *";
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("DBXSYNC_CHROMIUM") ?? "/usr/bin/chromium";
    public static readonly string ScreenshotDirectory = RepoPaths.Combine(".dbxsync", "screenshots");

    private FunctionsHostInstance _host = null!;
    private Dictionary<string, string> _settings = null!;
    private static string AppDirectory => FunctionsHostInstance.ProjectOutput("src/DbxSync.Functions");
    private IPlaywright _playwright = null!;
    private DatabricksConnector _connector = null!;

    public EmulatorInstance Emulator { get; private set; } = null!;
    public IBlobStore Blobs { get; private set; } = null!;
    public IDatabricksWorkspace Workspace { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress => _host.BaseUrl;
    public string ConsoleUrl => BaseAddress.ToString();
    public HttpClient Admin { get; private set; } = null!;

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
        Blobs = new BlobStore(new global::Azure.Storage.Blobs.BlobServiceClient(storage));

        _settings = new Dictionary<string, string>
        {
            [SettingNames.WebJobsStorage] = storage,
            [SettingNames.SyncTimerSchedule] = TimerSchedule,
            [SettingNames.ToAppSetting(SettingNames.StorageConnectionString)] = storage,
            [SettingNames.ToAppSetting(SettingNames.KeyVaultUri)] = keyVault.VaultUri.ToString(),
            [SettingNames.ToAppSetting(SettingNames.KeyVaultDevToken)] = keyVault.AcceptedToken,
            [SettingNames.ToAppSetting(SettingNames.KeyVaultTrustedCertificatePath)] = certificatePath,
            [SettingNames.AllowedWorkspaceHosts] = Emulator.Host,
            [SettingNames.ToAppSetting(SettingNames.ApiAuthMode)] = "tokens",
            [SettingNames.ToAppSetting(SettingNames.ApiTokenSha256Hashes)] = TokenHashList.HashOf(AdminToken),
            [SettingNames.ToAppSetting(SettingNames.ApiReadOnlyTokenSha256Hashes)] = TokenHashList.HashOf(ReaderToken),
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        };
        _host = await FunctionsHostInstance.StartAsync(AppDirectory, _settings);
        Admin = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        await WaitForStorageAsync();

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
        if (_host is not null)
        {
            await _host.DisposeAsync();
            // What the host and the worker logged, beside the screenshots, for a failure in CI.
            Directory.CreateDirectory(RepoPaths.Combine(".dbxsync", "logs"));
            await File.WriteAllLinesAsync(RepoPaths.Combine(".dbxsync", "logs", "console-tests-host.log"), _host.Output);
        }
        _connector?.Dispose();
    }

    /// <summary>
    /// Waits until SyncTimer has ticked <paramref name="count"/> times from now. A unique request is logged first as
    /// a marker, so only ticks after it count (the host keeps a bounded tail of its output).
    /// </summary>
    public async Task WaitForTicksAsync(int count)
    {
        var marker = "tick-marker-" + Guid.NewGuid().ToString("N");
        using (var client = new HttpClient { BaseAddress = BaseAddress })
            await client.GetAsync("/api/" + marker);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var after = _host.Output.SkipWhile(line => !line.Contains(marker, StringComparison.Ordinal)).ToList();
            if (after.Count(line => line.Contains("Tick:", StringComparison.Ordinal)) >= count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"SyncTimer did not tick {count} times within 30 s");
            await Task.Delay(200);
        }
    }


    /// <summary>
    /// A second app on the same storage in easyauth mode behind the local host's easyauth stand-in, which signs the
    /// browser in as <paramref name="principalId"/>; the app lets in only that principal (its allowlist).
    /// </summary>
    public Task<FunctionsHostInstance> StartEasyAuthHostAsync(string principalId)
    {
        var settings = new Dictionary<string, string>(_settings)
        {
            [SettingNames.ToAppSetting(SettingNames.ApiAuthMode)] = "easyauth",
            [SettingNames.ToAppSetting(SettingNames.ApiAllowedPrincipalIds)] = principalId,
            // Only one app's timer should enqueue runs.
            [SettingNames.SyncTimerSchedule] = "0 0 0 1 1 *",
        };
        return FunctionsHostInstance.StartAsync(AppDirectory, settings, ["--easyauth-stand-in", principalId]);
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

    /// <summary>The worker creates the tables, containers and queues right after start; the tests use them.</summary>
    private async Task WaitForStorageAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var text = await Admin.GetStringAsync("/api/health");
                if (!text.Contains("initializing", StringComparison.Ordinal) && text.Contains("\"storage\":{\"status\":\"up\"", StringComparison.Ordinal)) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the app's storage was not ready within 60 s");
            await Task.Delay(100);
        }
    }
}
