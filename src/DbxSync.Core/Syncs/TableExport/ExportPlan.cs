using DbxSync.Core.State;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>How an export reads its rows; LeftAlone: rows imports left alone, read by their keys at the checkpoint.</summary>
public enum ExportKind { Snapshot, ChangeFeed, VersionDifference, LeftAlone }

/// <summary>What one export reads: FromVersion..ToVersion inclusive (a snapshot covers 0..ToVersion), pinned at ToVersion.</summary>
public sealed record ExportPlan(ExportKind Kind, long FromVersion, long ToVersion, string Describe)
{
    public static ExportPlan Snapshot(long version, string why) => new(ExportKind.Snapshot, 0, version, $"snapshot at v{version} ({why})");
    public static ExportPlan Changes(long checkpoint, long to) => new(ExportKind.ChangeFeed, checkpoint + 1, to, $"changes v{checkpoint + 1}-v{to}");

    /// <summary>The manifest's and the state's name of the method.</summary>
    public string Method => Kind switch { ExportKind.Snapshot => "snapshot", ExportKind.ChangeFeed => "change_data_feed", ExportKind.LeftAlone => "left_alone", _ => "version_difference" };

    /// <summary>The plan an export in progress pinned.</summary>
    public static ExportPlan Of(ExportProgress progress)
    {
        var kind = progress.Method switch { "snapshot" => ExportKind.Snapshot, "change_data_feed" => ExportKind.ChangeFeed, _ => ExportKind.VersionDifference };
        return new ExportPlan(kind, progress.FromVersion, progress.ToVersion, progress.Describe ?? $"{progress.Method} v{progress.FromVersion}-v{progress.ToVersion}");
    }
}

/// <summary>How big one part of an export may get: whichever bound is reached first ends it.</summary>
public sealed record ExportPartOptions
{
    /// <summary>Rows per part (the LIMIT of each keyset page).</summary>
    public long PartRows { get; init; } = 1_000_000;
    /// <summary>About this many CSV bytes per part (counted as cells are written; the part manifest has the exact size).</summary>
    public long PartBytes { get; init; } = 256L * 1024 * 1024;
}
