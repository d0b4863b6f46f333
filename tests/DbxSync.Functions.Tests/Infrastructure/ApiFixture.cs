using Azure.Storage.Blobs;
using System.Net.Http.Headers;
using System.Text;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Hosting;
using DbxSync.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DbxSync.Functions.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>
/// The handler running for real on 127.0.0.1 (custom-handler mode, port 0), composed as in production
/// (AddDbxSyncCore + AddDbxSyncAdapters) and called over HTTP. Its adapters reach the run's shared Azurite, the
/// local Key Vault and the Databricks emulator (one each per test process), seeded with main.default.items and
/// main.default.files. Azurite is shared with other test assemblies and the app's table and container names are
/// fixed, so tests filter by the ids they created rather than assume empty lists.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-7f3c";
    public const string ReaderToken = "test-reader-token-91ab";
    /// <summary>An allowed origin where no workspace answers.</summary>
    public const string UnreachableWorkspaceUrl = "http://127.0.0.1:9";
    public const string Table = "main.default.items";
    public const string Volume = "/Volumes/main/default/files";

    private static readonly Lazy<Task<Backends>> SharedBackends = new(StartBackendsAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public WebApplication App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();
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
    /// <summary>The shared Azurite as an outside client sees it (uploads that raise blob events).</summary>
    public IBlobStore Blobs { get; private set; } = null!;

    public Task InitializeAsync() => StartAsync(brokenDependencies: false);

    public async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        Reader?.Dispose();
        if (App is not null) await App.DisposeAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A second app whose storage and secret store cannot be reached (health 503, invocation failures).</summary>
    public static async Task<ApiFixture> StartWithUnreachableDependenciesAsync()
    {
        var fixture = new ApiFixture();
        await fixture.StartAsync(brokenDependencies: true);
        return fixture;
    }

    /// <summary>Holds the cross-instance lock of a config as another running sync would (SyncRunner's lock name).</summary>
    public async Task<IAsyncDisposable> HoldRunLockAsync(string configId)
        => await App.Services.GetRequiredService<ISyncLock>().TryAcquireAsync("sync-" + configId)
           ?? throw new InvalidOperationException("lock already held");

    /// <summary>
    /// The configuration that points the production composition at the shared Azurite, local Key Vault and emulator;
    /// also used by tests that build their own app. Broken: storage and Key Vault on a port where nothing listens.
    /// </summary>
    public static async Task<Dictionary<string, string?>> BackendSettingsAsync(bool brokenDependencies = false)
    {
        var backends = await SharedBackends.Value;
        var storage = brokenDependencies ? UnreachableStorageConnectionString : backends.StorageConnectionString;
        return new Dictionary<string, string?>
        {
            [SettingNames.StorageConnectionString] = storage,
            [SettingNames.KeyVaultUri] = brokenDependencies ? "https://127.0.0.1:9/" : backends.KeyVault.VaultUri.ToString(),
            [SettingNames.KeyVaultDevToken] = backends.KeyVault.AcceptedToken,
            [SettingNames.KeyVaultTrustedCertificatePath] = backends.KeyVaultCertificatePath,
            [SettingNames.AllowedWorkspaceHosts] = backends.Emulator.Host + "," + UnreachableWorkspaceUrl,
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

    private async Task StartAsync(bool brokenDependencies)
    {
        var backends = await SharedBackends.Value;
        Emulator = backends.Emulator;
        Blobs = backends.Blobs;
        var settings = await BackendSettingsAsync(brokenDependencies);
        settings[SettingNames.CustomHandlerPort] = "0";
        settings[SettingNames.ApiAuthMode] = "tokens";
        settings[SettingNames.ApiTokenSha256Hashes] = TokenHashList.HashOf(AdminToken);
        settings[SettingNames.ApiReadOnlyTokenSha256Hashes] = TokenHashList.HashOf(ReaderToken);
        settings["Logging:LogLevel:Default"] = "Information";

        App = DbxSyncApplication.Build([], config => config.AddInMemoryCollection(settings), services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
        }) ?? throw new InvalidOperationException("no hosting mode");
        await App.StartAsync();
        BaseAddress = new Uri(App.Urls.Single());
        Anonymous = CreateClient();
        Admin = CreateClient(AdminToken);
        Reader = CreateClient(ReaderToken);
        if (!brokenDependencies) await WaitForStorageAsync();
    }

    /// <summary>Tables, containers and the queue are created right after start; tests drop blobs into them.</summary>
    private async Task WaitForStorageAsync()
    {
        var init = App.Services.GetRequiredService<StateInitializationService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!init.IsReady)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"storage was not initialized within 60 s: {init.LastError}");
            await Task.Delay(25);
        }
    }

    private sealed record Backends(string StorageConnectionString, IBlobStore Blobs, LocalKeyVaultInstance KeyVault, string KeyVaultCertificatePath, EmulatorInstance Emulator);

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
        return new Backends(storage, blobs, keyVault, certificatePath, emulator);
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
