using Azure.Storage.Blobs;
using System.Net.Http.Headers;
using System.Text;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Hosting;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>
/// The real isolated worker (src/DbxSync.Functions' build output) under the local Functions host
/// (tools/DbxSync.FunctionsHost), one host per test process, called over HTTP as a client would. Its adapters reach
/// the run's shared Azurite (this assembly's own account under ./dbxsync test), the local Key Vault and the Databricks
/// emulator, seeded with main.default.items and main.default.files. The timer's schedule never fires on its own here:
/// tests tick it through the host's admin endpoint, so only their ticks run.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-7f3c";
    public const string ReaderToken = "test-reader-token-91ab";
    /// <summary>An allowed origin where no workspace answers.</summary>
    public const string UnreachableWorkspaceUrl = "http://127.0.0.1:9";
    public const string Table = "main.default.items";
    public const string Volume = "/Volumes/main/default/files";
    /// <summary>NCRONTAB for "1 January, midnight": never during a test run.</summary>
    public const string NeverSchedule = "0 0 0 1 1 *";

    private static readonly Lazy<Task<Backends>> SharedBackends = new(StartBackendsAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private bool _ownsHost;

    public FunctionsHostInstance Host { get; private set; } = null!;
    public Uri BaseAddress => Host.BaseUrl;
    /// <summary>No credentials at all.</summary>
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Reader { get; private set; } = null!;

    /// <summary>The emulator's origin, as a principal's workspace_url.</summary>
    public string WorkspaceUrl => Emulator.Host;
    public string ClientId => Emulator.ClientId;
    public string ClientSecret => Emulator.ClientSecret;
    public string PersonalAccessToken => Emulator.Token;
    public EmulatorInstance Emulator { get; private set; } = null!;
    public string StorageConnectionString { get; private set; } = null!;
    /// <summary>The shared Azurite as an outside client sees it (uploads that raise blob events).</summary>
    public IBlobStore Blobs { get; private set; } = null!;
    /// <summary>The Databricks client as the app configures it (same allowed hosts).</summary>
    public IDatabricksConnector Connector { get; private set; } = null!;

    /// <summary>The emulator's workspace as a data engineer reaches it (PAT), for seeding and checking tables and volumes.</summary>
    public IDatabricksWorkspace Workspace => Connector.Connect(new WorkspaceCredentials(Emulator.Host, WorkspaceAuthType.PersonalAccessToken, null, Emulator.Token, "api-tests"));

    public async Task<List<string?[]>> SqlAsync(string statement, bool write = false)
    {
        var rows = new List<string?[]>();
        var result = await Workspace.ExecuteAsync(statement, options: new StatementOptions { WarehouseId = Emulator.WarehouseId, IsWrite = write });
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    /// <summary>The sync-runs queue (or its poison queue) as SyncTimer writes it: base64 messages.</summary>
    public global::Azure.Storage.Queues.QueueClient Queue(string name)
        => new(StorageConnectionString, name, new global::Azure.Storage.Queues.QueueClientOptions { MessageEncoding = global::Azure.Storage.Queues.QueueMessageEncoding.Base64 });

    /// <summary>Runs a non-HTTP function now, as the Functions host's admin API does (POST /admin/functions/{name}).</summary>
    public async Task InvokeFunctionAsync(string name)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var response = await client.PostAsync($"admin/functions/{name}", new StringContent("{\"input\":\"\"}", Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"admin/functions/{name}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The app folder the host runs: the worker's build output.</summary>
    public static string AppDirectory => FunctionsHostInstance.ProjectOutput("src/DbxSync.Functions");

    public async Task InitializeAsync()
    {
        await UseBackendsAsync();
        Host = await FunctionsHostInstance.GetSharedAsync(AppDirectory, await AppSettingsAsync());
        await WaitForStorageAsync();
    }

    public async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        Reader?.Dispose();
        // The shared host stops with the test process; a fixture's own host stops with it.
        if (_ownsHost && Host is not null) await Host.DisposeAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A second host whose app cannot reach its storage or secret store (health 503).</summary>
    public static async Task<ApiFixture> StartWithUnreachableDependenciesAsync()
    {
        var fixture = new ApiFixture { _ownsHost = true };
        await fixture.UseBackendsAsync();
        fixture.Host = await FunctionsHostInstance.StartAsync(AppDirectory, await AppSettingsAsync(brokenDependencies: true));
        fixture.CreateClients();
        return fixture;
    }

    /// <summary>A host of its own with extra or changed app settings (auth modes).</summary>
    public static async Task<ApiFixture> StartWithSettingsAsync(IReadOnlyDictionary<string, string> overrides, bool waitForStorage = true, IReadOnlyList<string>? hostArguments = null)
    {
        var fixture = new ApiFixture { _ownsHost = true };
        await fixture.UseBackendsAsync();
        var settings = await AppSettingsAsync();
        foreach (var (k, v) in overrides) settings[k] = v;
        fixture.Host = await FunctionsHostInstance.StartAsync(AppDirectory, settings, hostArguments);
        if (waitForStorage) await fixture.WaitForStorageAsync();
        else fixture.CreateClients();
        return fixture;
    }

    /// <summary>Holds the cross-instance lock of a config as another running sync would (the runner's lock name).</summary>
    public async Task<IAsyncDisposable> HoldRunLockAsync(string configId)
        => await new BlobLeaseSyncLock(new global::Azure.Storage.Blobs.BlobServiceClient(StorageConnectionString)).TryAcquireAsync(SyncRunner.LockName(configId))
           ?? throw new InvalidOperationException("lock already held");

    /// <summary>
    /// The app settings the host (and through it the worker) gets: the triggers' storage and the app's storage are
    /// the same account, as in Azure. Broken: storage and Key Vault on a port where nothing listens.
    /// </summary>
    public static async Task<Dictionary<string, string>> AppSettingsAsync(bool brokenDependencies = false)
    {
        var backends = await SharedBackends.Value;
        var storage = brokenDependencies ? UnreachableStorageConnectionString : backends.StorageConnectionString;
        return new Dictionary<string, string>
        {
            [SettingNames.WebJobsStorage] = storage,
            [SettingNames.SyncTimerSchedule] = NeverSchedule,
            [SettingNames.ToAppSetting(SettingNames.StorageConnectionString)] = storage,
            [SettingNames.ToAppSetting(SettingNames.KeyVaultUri)] = brokenDependencies ? "https://127.0.0.1:9/" : backends.KeyVault.VaultUri.ToString(),
            [SettingNames.ToAppSetting(SettingNames.KeyVaultDevToken)] = backends.KeyVault.AcceptedToken,
            [SettingNames.ToAppSetting(SettingNames.KeyVaultTrustedCertificatePath)] = backends.KeyVaultCertificatePath,
            [SettingNames.AllowedWorkspaceHosts] = backends.Emulator.Host + "," + UnreachableWorkspaceUrl,
            // Entra sign-in against the stand-in, as Azure.Identity does in Azure: the authority for client secrets,
            // and the App Service identity endpoint (which the platform sets) for the app's managed identity.
            [SettingNames.ToAppSetting(SettingNames.EntraAuthorityHost)] = backends.Entra.Server.Authority.ToString(),
            [SettingNames.ToAppSetting(SettingNames.EntraTrustedCertificatePath)] = backends.Entra.CertificatePath,
            ["IDENTITY_ENDPOINT"] = backends.Entra.Server.IdentityEndpoint.ToString(),
            ["IDENTITY_HEADER"] = backends.Entra.Server.IdentityHeader,
            [SettingNames.ToAppSetting(SettingNames.ApiAuthMode)] = "tokens",
            [SettingNames.ToAppSetting(SettingNames.ApiTokenSha256Hashes)] = TokenHashList.HashOf(AdminToken),
            [SettingNames.ToAppSetting(SettingNames.ApiReadOnlyTokenSha256Hashes)] = TokenHashList.HashOf(ReaderToken),
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        };
    }

    public HttpClient CreateClient(string? bearerToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearerToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return client;
    }

    /// <summary>Drops a blob into the shared storage as a labeler (or volume mirror) would.</summary>
    public Task UploadAsync(string container, string name, string content)
        => Blobs.UploadAsync(container, name, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string UnreachableStorageConnectionString =
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    private async Task UseBackendsAsync()
    {
        var backends = await SharedBackends.Value;
        Emulator = backends.Emulator;
        Blobs = backends.Blobs;
        StorageConnectionString = backends.StorageConnectionString;
        Connector = backends.Connector;
        Entra = backends.Entra;
    }

    private void CreateClients()
    {
        Anonymous = CreateClient();
        Admin = CreateClient(AdminToken);
        Reader = CreateClient(ReaderToken);
    }

    /// <summary>The worker creates tables, containers and the sync-runs queue right after start; tests use them.</summary>
    private async Task WaitForStorageAsync()
    {
        CreateClients();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await Admin.GetAsync("/api/health");
            var text = await response.Content.ReadAsStringAsync();
            if (!text.Contains("initializing", StringComparison.Ordinal) && text.Contains("\"storage\":{\"status\":\"up\"", StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"storage was not initialized within 60 s: {text}");
            await Task.Delay(100);
        }
    }

    private sealed record Backends(string StorageConnectionString, IBlobStore Blobs, LocalKeyVaultInstance KeyVault, string KeyVaultCertificatePath, EmulatorInstance Emulator, IDatabricksConnector Connector, EntraStandInInstance Entra);

    /// <summary>The Entra ID stand-in the emulator trusts and the app signs in at.</summary>
    public EntraStandInInstance Entra { get; private set; } = null!;

    private static async Task<Backends> StartBackendsAsync()
    {
        var emulatorTask = EmulatorInstance.GetAsync();
        var keyVaultTask = LocalKeyVaultInstance.GetAsync();
        var storage = await Task.Run(() => AzuriteInstance.Shared.ConnectionString);
        var keyVault = await keyVaultTask;
        var certificatePath = Path.Combine(Path.GetTempPath(), $"dbxsync-api-tests-kv-{Environment.ProcessId}-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificatePath, keyVault.Certificate.ExportCertificatePem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(certificatePath);

        var emulator = await emulatorTask;
        await SeedWorkspaceAsync(emulator);
        var blobs = new BlobStore(new BlobServiceClient(storage));
        foreach (var container in BlobContainers.All) await blobs.EnsureContainerAsync(container);
        var connector = new DbxSync.Databricks.Adapters.DatabricksConnector(new DbxSync.Databricks.DatabricksClientOptions
        {
            AllowedWorkspaceHosts = [emulator.Host, UnreachableWorkspaceUrl],
        });
        return new Backends(storage, blobs, keyVault, certificatePath, emulator, connector, await EntraStandInInstance.GetAsync());
    }

    /// <summary>What the tests expect in the workspace: main.default.items (id, text, label) with a few rows, and the volume main.default.files.</summary>
    private static async Task SeedWorkspaceAsync(EmulatorInstance emulator)
    {
        using var connector = new DbxSync.Databricks.Adapters.DatabricksConnector(new DbxSync.Databricks.DatabricksClientOptions
        {
            AllowedWorkspaceHosts = [emulator.Host],
        });
        var workspace = connector.Connect(new WorkspaceCredentials(emulator.Host, WorkspaceAuthType.PersonalAccessToken, null, emulator.Token, "api-tests-seed"));
        var write = new StatementOptions { WarehouseId = emulator.WarehouseId, IsWrite = true };
        foreach (var statement in new[]
                 {
                     "CREATE CATALOG IF NOT EXISTS main",
                     "CREATE SCHEMA IF NOT EXISTS main.default",
                     $"CREATE TABLE IF NOT EXISTS {Table} (id BIGINT NOT NULL, text STRING, label STRING) USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)",
                     "CREATE VOLUME IF NOT EXISTS main.default.files",
                 })
            await workspace.ExecuteAsync(statement, options: write);

        long rows = 0;
        await foreach (var row in (await workspace.ExecuteAsync($"SELECT COUNT(*) FROM {Table}", options: write with { IsWrite = false })).ReadRowsAsync())
            rows = long.Parse(row[0]!);
        if (rows == 0)
            await workspace.ExecuteAsync($"INSERT INTO {Table} VALUES (1, 'a cat on a mat', NULL), (2, 'a dog in fog', 'dog'), (3, 'a bird on a wire', NULL)", options: write);
    }
}
