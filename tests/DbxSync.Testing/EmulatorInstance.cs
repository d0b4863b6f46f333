using System.Net.Http.Headers;
using System.Text.Json;
using DbxSync.Emulator;

namespace DbxSync.Testing;

/// <summary>
/// The Databricks workspace tests talk to, shared by the whole test process: an in-process emulator with the real
/// SQL engine, or a real workspace when DBXSYNC_TEST_DATABRICKS_HOST, _CLIENT_ID, _CLIENT_SECRET and _TOKEN are set
/// (optionally _WAREHOUSE_ID; otherwise the first running warehouse is used).
/// </summary>
public sealed class EmulatorInstance
{
    private const string EnvPrefix = "DBXSYNC_TEST_DATABRICKS_";
    private static readonly Lazy<Task<EmulatorInstance>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private EmulatorInstance(string host, string clientId, string clientSecret, string token, string warehouseId, EmulatorHandle? handle)
    {
        Host = host;
        ClientId = clientId;
        ClientSecret = clientSecret;
        Token = token;
        WarehouseId = warehouseId;
        Handle = handle;
    }

    /// <summary>Workspace URL without a trailing slash, e.g. http://127.0.0.1:41234.</summary>
    public string Host { get; }
    public string ClientId { get; }
    public string ClientSecret { get; }

    /// <summary>A personal access token.</summary>
    public string Token { get; }
    public string WarehouseId { get; }

    /// <summary>The in-process emulator (faults, stats, engine); null against an external workspace.</summary>
    public EmulatorHandle? Handle { get; }
    public bool IsExternal => Handle is null;

    /// <summary>True when an external workspace is configured or the real engine is wired into the emulator.</summary>
    public static bool IsAvailable => ExternalSettings() is not null || new EmulatorOptions().EngineFactory is not null;

    public static Task<EmulatorInstance> GetAsync() => Shared.Value;

    private static async Task<EmulatorInstance> StartAsync()
    {
        if (ExternalSettings() is { } external)
        {
            var warehouseId = Environment.GetEnvironmentVariable(EnvPrefix + "WAREHOUSE_ID")
                              ?? await FindRunningWarehouseAsync(external.Host, external.Token);
            return new EmulatorInstance(external.Host.TrimEnd('/'), external.ClientId, external.ClientSecret, external.Token, warehouseId, null);
        }

        var options = new EmulatorOptions
        {
            Port = 0,
            DataDirectory = Path.Combine(Path.GetTempPath(), "dbxsync-test-emulator-" + Guid.NewGuid().ToString("N")),
        };
        if (options.EngineFactory is null)
            throw new InvalidOperationException(
                "The emulator's SQL engine is not wired yet (EmulatorOptions.EngineFactory is null); set the DBXSYNC_TEST_DATABRICKS_* variables to use a real workspace.");

        // The workspace is an Azure one: it accepts Entra tokens from the shared stand-in, issued in its tenant.
        var entra = await EntraStandInInstance.GetAsync();
        options.Entra.Authority = entra.Server.Authority;
        options.Entra.AuthorityCertificate = entra.Server.Certificate;
        options.Entra.TenantId = EntraStandInInstance.WorkspaceTenantId;
        var handle = await EmulatorServer.StartAsync(options);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            handle.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(options.DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return new EmulatorInstance(handle.BaseUrl.ToString().TrimEnd('/'), handle.ClientId, handle.ClientSecret,
            handle.PersonalAccessToken, handle.WarehouseId, handle);
    }

    private static (string Host, string ClientId, string ClientSecret, string Token)? ExternalSettings()
    {
        string? Read(string name) => Environment.GetEnvironmentVariable(EnvPrefix + name) is { Length: > 0 } value ? value : null;
        return (Read("HOST"), Read("CLIENT_ID"), Read("CLIENT_SECRET"), Read("TOKEN")) is ({ } host, { } clientId, { } secret, { } token)
            ? (host, clientId, secret, token)
            : null;
    }

    private static async Task<string> FindRunningWarehouseAsync(string host, string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(host.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var document = JsonDocument.Parse(await client.GetStringAsync("api/2.0/sql/warehouses"));
        var warehouses = document.RootElement.TryGetProperty("warehouses", out var list) ? list.EnumerateArray().ToList() : [];
        var chosen = warehouses.FirstOrDefault(w => w.GetProperty("state").GetString() == "RUNNING");
        if (chosen.ValueKind == JsonValueKind.Undefined)
            chosen = warehouses.FirstOrDefault();
        return chosen.ValueKind == JsonValueKind.Undefined
            ? throw new InvalidOperationException("No SQL warehouse visible at " + host + "; set " + EnvPrefix + "WAREHOUSE_ID.")
            : chosen.GetProperty("id").GetString()!;
    }
}
