using DbxSync.Core.Ports;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using DbxSync.Testing;

namespace DbxSync.Databricks.Tests.AgainstEmulator;

/// <summary>The shared in-process emulator plus a connector allowed to reach it, and a schema of its own per test class.</summary>
public sealed class EmulatorWorkspace : IAsyncLifetime
{
    public EmulatorInstance Emulator { get; private set; } = null!;
    public DatabricksConnector Connector { get; private set; } = null!;
    public string Catalog { get; } = "clienttests";
    public string Schema { get; } = "s" + Guid.NewGuid().ToString("N")[..10];

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorInstance.GetAsync();
        // A short synchronous wait keeps the cancellation test quick; the protocol is the same at any wait.
        Connector = new DatabricksConnector(new DatabricksClientOptions { AllowedWorkspaceHosts = [Emulator.Host], StatementWaitTimeout = TimeSpan.FromSeconds(5) });
        var ws = Pat();
        await RunAsync(ws, $"CREATE CATALOG IF NOT EXISTS {Catalog}");
        await RunAsync(ws, $"CREATE SCHEMA IF NOT EXISTS {Catalog}.{Schema}");
    }

    public Task DisposeAsync()
    {
        Connector.Dispose();
        return Task.CompletedTask;
    }

    public IDatabricksWorkspace Pat() => Connector.Connect(new WorkspaceCredentials(Emulator.Host, WorkspaceAuthType.PersonalAccessToken, null, Emulator.Token, "pat-" + Guid.NewGuid()));

    /// <summary>A fresh cache key: a new token cache, so token requests can be counted.</summary>
    public IDatabricksWorkspace OAuth(string? secret = null) => Connector.Connect(new WorkspaceCredentials(
        Emulator.Host, WorkspaceAuthType.OAuthM2M, Emulator.ClientId, secret ?? Emulator.ClientSecret, "sp-" + Guid.NewGuid()));

    public StatementOptions Options(bool large = false, bool write = false) => new() { WarehouseId = Emulator.WarehouseId, LargeResult = large, IsWrite = write };

    public async Task<List<string?[]>> RunAsync(IDatabricksWorkspace ws, string sql, IReadOnlyList<SqlParameter>? parameters = null, bool large = false, bool write = false)
    {
        var result = await ws.ExecuteAsync(sql, parameters, Options(large, write));
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    public long TokenRequests => Emulator.Handle!.Stats.RequestsByRoute.Where(r => r.Key.Contains("oidc/v1/token", StringComparison.Ordinal)).Sum(r => r.Value);
}
