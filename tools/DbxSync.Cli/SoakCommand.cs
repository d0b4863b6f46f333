using System.Globalization;

namespace DbxSync.Cli;

/// <summary>
/// ./dbxsync soak N [--seed S] [--faults a,b|all|none]: N labeling cycles on the local stack with faults drawn from
/// the seed (printed, so a failure can be replayed), an exactness check after each. Exit 0 only when every cycle
/// was exact.
/// </summary>
public static class SoakCommand
{
    public const string Usage = "soak N [--seed S] [--faults " + "throttle,unavailable,slow-statements,storage-stall,storage-errors,kill-worker,overwrite-labeled,edit-row,delete-row,drop-marker|all|none]";

    public static async Task<int> ExecuteAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var cycles) || cycles < 1)
            throw new ArgumentException("usage: dbxsync " + Usage);
        var seed = Random.Shared.Next(1, 1_000_000);
        var faults = SoakFaults.All;
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--faults": faults = SoakFaults.Parse(Next()); break;
                default: throw new ArgumentException($"unknown option {args[i]}; usage: dbxsync {Usage}");
            }
        }

        using var api = ApiClient.FromEnvironment();
        var stack = new SoakStack
        {
            Api = api,
            AppUrl = new Uri(ApiClient.Env("DBXSYNC_API_URL").TrimEnd('/') + "/"),
            Workspace = DemoConnections.Workspace(),
            Blobs = DemoConnections.Blobs(),
            WorkspaceUrl = ApiClient.Env("DATABRICKS_HOST"),
            ClientId = ApiClient.Env("DATABRICKS_CLIENT_ID"),
            ClientSecret = ApiClient.Env("DATABRICKS_CLIENT_SECRET"),
            WarehouseId = ApiClient.Env("DATABRICKS_WAREHOUSE_ID"),
            EmulatorUrl = new Uri(ApiClient.Env("DATABRICKS_HOST")),
            StoragePid = int.TryParse(Environment.GetEnvironmentVariable("DBXSYNC_STORAGE_PID"), out var pid) ? pid : null,
            StorageFaultsUrl = Environment.GetEnvironmentVariable("DBXSYNC_STORAGE_FAULTS_URL") is { Length: > 0 } url ? new Uri(url) : null,
        };
        if (faults.Contains(SoakFault.StorageErrors) && stack.StorageFaultsUrl is null)
            throw new ArgumentException("storage-errors needs the app's storage behind the fault proxy: ./dbxsync down, then ./dbxsync soak starts the stack with it");
        var result = await new SoakRunner(stack, new SoakOptions { Cycles = cycles, Seed = seed, Faults = faults }, Console.Out).RunAsync(cancellationToken);
        return result.Passed ? 0 : 1;
    }
}
