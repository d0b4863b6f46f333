namespace DbxSync.Cli;

/// <summary>The faults a soak cycle may draw (each with its own chance per cycle), by the names --faults takes.</summary>
public enum SoakFault
{
    /// <summary>The emulator answers a share of Databricks requests 429 REQUEST_LIMIT_EXCEEDED.</summary>
    Throttle,
    /// <summary>The emulator answers a share of Databricks requests 503 TEMPORARILY_UNAVAILABLE.</summary>
    Unavailable,
    /// <summary>Every statement spends extra time RUNNING.</summary>
    SlowStatements,
    /// <summary>Azurite is frozen (SIGSTOP) for a few seconds while the export runs: storage calls stall and time out.</summary>
    StorageStall,
    /// <summary>A share of the app's storage requests is answered 503 ServerBusy, 500 InternalError or a reset connection (the storage fault proxy).</summary>
    StorageErrors,
    /// <summary>The worker is killed with SIGKILL while the export runs; the host restarts it.</summary>
    KillWorker,
    /// <summary>The labeler drops a file, then overwrites it with other labels while the import may be running.</summary>
    OverwriteLabeled,
    /// <summary>An exported row's content changes before its labels come back.</summary>
    EditRow,
    /// <summary>An exported row is deleted before its labels come back.</summary>
    DeleteRow,
    /// <summary>The labeler leaves out the row marker column.</summary>
    DropMarker,
}

public static class SoakFaults
{
    public static IReadOnlyList<SoakFault> All { get; } = Enum.GetValues<SoakFault>();

    public static string Name(this SoakFault fault) => fault switch
    {
        SoakFault.SlowStatements => "slow-statements",
        SoakFault.StorageStall => "storage-stall",
        SoakFault.StorageErrors => "storage-errors",
        SoakFault.KillWorker => "kill-worker",
        SoakFault.OverwriteLabeled => "overwrite-labeled",
        SoakFault.EditRow => "edit-row",
        SoakFault.DeleteRow => "delete-row",
        SoakFault.DropMarker => "drop-marker",
        _ => fault.ToString().ToLowerInvariant(),
    };

    /// <summary>"throttle,kill-worker" to the faults; "all" for every kind; "none" for none.</summary>
    public static IReadOnlyList<SoakFault> Parse(string list) => list.Trim() switch
    {
        "all" => All,
        "none" or "" => [],
        _ => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => All.FirstOrDefault(f => f.Name() == n, (SoakFault)(-1)) is var f && (int)f >= 0
                ? f : throw new ArgumentException($"unknown fault '{n}' (known: {string.Join(", ", All.Select(Name))})"))
            .Distinct().ToList(),
    };
}
