using System.Net.Http.Headers;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Hosting;
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
/// The handler running for real on 127.0.0.1 (custom-handler mode, port 0), called over HTTP. On this branch the
/// ports are the interim in-memory fakes; at merge this file points the same app at Azurite, the local Key Vault
/// and the Databricks emulator.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-7f3c";
    public const string ReaderToken = "test-reader-token-91ab";
    public const string WorkspaceUrl = "https://adb-1234567890123456.7.azuredatabricks.net";
    /// <summary>An allowed origin where no workspace answers.</summary>
    public const string UnreachableWorkspaceUrl = "http://127.0.0.1:9";
    public const string ClientId = "5c1f1f4e-1111-4a4a-9b9b-0123456789ab";
    public const string ClientSecret = "dose-SECRET-value-4b1d9e";
    public const string PersonalAccessToken = "dapi-PAT-secret-0e9a77";

    public WebApplication App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();
    /// <summary>No credentials at all.</summary>
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Reader { get; private set; } = null!;

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

    /// <summary>Holds the cross-instance lock of a config as another running sync would.</summary>
    public async Task<IAsyncDisposable> HoldRunLockAsync(string configId)
        => await App.Services.GetRequiredService<ISyncLock>().TryAcquireAsync(FakeSyncRunner.LockNameFor(configId))
           ?? throw new InvalidOperationException("lock already held");

    /// <summary>What AddDbxSyncAdapters provides in production; also used by tests that build their own app.</summary>
    public static void AddPorts(IServiceCollection services, bool brokenDependencies = false)
    {
        services.AddSingleton<IStateStore>(new InMemoryStateStore(unreachable: brokenDependencies));
        services.AddSingleton<ISecretStore>(new InMemorySecretStore(unreachable: brokenDependencies));
        services.AddSingleton<ISyncLock, InMemorySyncLock>();
        services.AddSingleton<IDatabricksConnector>(new FakeDatabricksConnector([UnreachableWorkspaceUrl], ClientId, ClientSecret, PersonalAccessToken, UnreachableWorkspaceUrl));
        services.AddSingleton<ISyncRunner, FakeSyncRunner>();
    }

    public HttpClient CreateClient(string? bearerToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearerToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return client;
    }

    private async Task StartAsync(bool brokenDependencies)
    {
        var settings = new Dictionary<string, string?>
        {
            [SettingNames.CustomHandlerPort] = "0",
            [SettingNames.ApiAuthMode] = "tokens",
            [SettingNames.ApiTokenSha256Hashes] = TokenHashList.HashOf(AdminToken),
            [SettingNames.ApiReadOnlyTokenSha256Hashes] = TokenHashList.HashOf(ReaderToken),
            [SettingNames.AllowedWorkspaceHosts] = UnreachableWorkspaceUrl,
            ["Logging:LogLevel:Default"] = "Information",
        };
        App = DbxSyncApplication.Build([], config => config.AddInMemoryCollection(settings), services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            AddPorts(services, brokenDependencies);
        }) ?? throw new InvalidOperationException("no hosting mode");
        await App.StartAsync();
        var address = App.Urls.Single();
        BaseAddress = new Uri(address);
        Anonymous = CreateClient();
        Admin = CreateClient(AdminToken);
        Reader = CreateClient(ReaderToken);
    }
}
