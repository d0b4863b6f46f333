using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DbxSync.Core.Ports;

namespace DbxSync.Cli;

/// <summary>
/// The running local stack a soak drives: the app's API, the workspace and storage as the data engineer and the
/// labeling platform reach them, the principal's credentials, and the handles faults are injected through.
/// </summary>
public sealed class SoakStack
{
    public required ApiClient Api { get; init; }
    /// <summary>The app's base URL: the local Functions host also serves /admin/host/status there.</summary>
    public required Uri AppUrl { get; init; }
    public required IDatabricksWorkspace Workspace { get; init; }
    public required IBlobStore Blobs { get; init; }
    public required string WorkspaceUrl { get; init; }
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    public required string WarehouseId { get; init; }
    /// <summary>The emulator's origin; its /emulator/faults and /emulator/stats take loopback callers.</summary>
    public required Uri EmulatorUrl { get; init; }
    /// <summary>The pid of the storage emulator, to freeze for storage stalls; null when not known.</summary>
    public int? StoragePid { get; init; }
    /// <summary>The storage fault proxy's control endpoint (…/_faults) in front of the app's storage; null when there is none.</summary>
    public Uri? StorageFaultsUrl { get; init; }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task SetEmulatorFaultsAsync(object settings, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(EmulatorUrl, "/emulator/faults"), settings, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Requests the emulator answered with an injected 429/503 so far: each one a retry by the app.</summary>
    public async Task<long> EmulatorFailedRequestsAsync(CancellationToken cancellationToken)
    {
        var stats = await Http.GetFromJsonAsync<JsonObject>(new Uri(EmulatorUrl, "/emulator/stats"), cancellationToken);
        return stats?["failed_requests"]?.AsObject().Sum(kv => (long?)kv.Value ?? 0) ?? 0;
    }

    /// <summary>Sets the storage fault proxy (reset, seed, error_rate); nothing when there is none.</summary>
    public async Task SetStorageFaultsAsync(object settings, CancellationToken cancellationToken)
    {
        if (StorageFaultsUrl is null) return;
        using var response = await Http.PostAsJsonAsync(StorageFaultsUrl, settings, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Storage requests the proxy failed so far, by kind (server_busy, internal_error, connection_reset): each one a retry by the app.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StorageErrorsAsync(CancellationToken cancellationToken)
    {
        if (StorageFaultsUrl is null) return new Dictionary<string, long>();
        var stats = await Http.GetFromJsonAsync<JsonObject>(new Uri(StorageFaultsUrl.AbsoluteUri.TrimEnd('/') + "/stats"), cancellationToken);
        return stats?["injected"]?.AsObject().ToDictionary(kv => kv.Key, kv => (long?)kv.Value ?? 0) ?? new Dictionary<string, long>();
    }

    /// <summary>The local host's view of its worker (pid and how often one was started); nulls under another host.</summary>
    public async Task<(int? Pid, int? Starts)> WorkerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await Http.GetFromJsonAsync<JsonObject>(new Uri(AppUrl, "admin/host/status"), cancellationToken);
            return ((int?)status?["workerProcessId"], (int?)status?["workerStarts"]);
        }
        catch (HttpRequestException)
        {
            return (null, null);
        }
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
