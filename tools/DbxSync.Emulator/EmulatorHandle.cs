using DbxSync.Emulator.Admin;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Provisioning;
using DbxSync.Emulator.Sql;
using DbxSync.Emulator.Statements;

namespace DbxSync.Emulator;

/// <summary>A running emulator. Disposing stops the server, cancels running statements and drops spooled results.</summary>
public sealed class EmulatorHandle : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StatementStore _store;
    private readonly Func<ValueTask> _disposeEngine;
    private int _disposed;

    internal EmulatorHandle(WebApplication app, Uri baseUrl, EmulatorCredentials credentials, FaultInjector faults, EmulatorStats stats,
        ISqlEngine engine, StatementStore store, EmulatorOptions options, Func<ValueTask> disposeEngine)
    {
        _app = app;
        _store = store;
        _disposeEngine = disposeEngine;
        BaseUrl = baseUrl;
        Credentials = credentials;
        Faults = faults;
        Stats = stats;
        Engine = engine;
        Options = options;
    }

    /// <summary>The workspace URL clients use as host, e.g. http://127.0.0.1:8080/.</summary>
    public Uri BaseUrl { get; }
    public EmulatorCredentials Credentials { get; }
    public FaultInjector Faults { get; }
    public EmulatorStats Stats { get; }
    public ISqlEngine Engine { get; }
    public EmulatorOptions Options { get; }

    public string ClientId => Credentials.DefaultServicePrincipal.ClientId;
    public string ClientSecret => Credentials.DefaultServicePrincipal.ClientSecret;
    public string PersonalAccessToken => Credentials.DefaultPersonalAccessToken.Token;
    public string WarehouseId => Credentials.Warehouse.Id;

    /// <summary>Cancelled when the host is asked to stop; the hosting lifetime raises it on SIGTERM, SIGINT and SIGQUIT.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Lets tests jump past retention windows without waiting for the sweep timer.</summary>
    public void SweepStatements() => _store.Sweep();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
        await _disposeEngine();
    }
}
