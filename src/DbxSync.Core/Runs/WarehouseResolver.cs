using System.Collections.Concurrent;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;

namespace DbxSync.Core.Runs;

/// <summary>
/// The SQL warehouse a table config's statements run on: the config's, else the principal's, else one the principal
/// can use (a running one preferred), remembered per principal.
/// </summary>
public sealed class WarehouseResolver
{
    private readonly ConcurrentDictionary<string, string> _defaults = new();

    public async Task<string> ResolveAsync(SyncConfig config, ServicePrincipal principal, IDatabricksWorkspace workspace, CancellationToken cancellationToken = default)
    {
        if (config.WarehouseId is not null) return config.WarehouseId;
        if (principal.WarehouseId is not null) return principal.WarehouseId;
        if (_defaults.TryGetValue(principal.Id, out var cached)) return cached;
        WarehouseSummary? best = null;
        await foreach (var w in workspace.ListWarehousesAsync(cancellationToken))
        {
            // Prefer a running warehouse: starting a stopped one costs minutes.
            if (best is null || (w.State == "RUNNING" && best.State != "RUNNING")) best = w;
        }
        if (best is null)
            throw new ValidationException("The workspace has no SQL warehouse the principal can use; set warehouse_id on the config or the principal.", "warehouse_id", "no-warehouse");
        _defaults[principal.Id] = best.Id;
        return best.Id;
    }
}
