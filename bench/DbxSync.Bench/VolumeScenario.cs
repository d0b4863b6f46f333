using System.Text.Json.Nodes;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// volume: 2,000 small files (4-64 KiB) volume -> blob (forward) and blob -> volume (reverse); one 1 GiB file forward.
/// Limit: the raw byte copy of the same files between the same endpoints (download + upload, no manifest, no state),
/// with the app's own transfer parallelism.
/// </summary>
public static class VolumeScenario
{
    /// <summary>VolumeSyncOptions.MaxParallelTransfers: the raw copy uses the same, so the ratio compares like with like.</summary>
    public static readonly int Parallel = new DbxSync.Core.Syncs.Volumes.VolumeSyncOptions().MaxParallelTransfers;

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, int smallFiles, long largeBytes, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        await ctx.Blobs.EnsureContainerAsync(ExportScenario.Container, ct);
        var cases = new List<CaseResult>();
        var sizes = SmallSizes(smallFiles);
        var files = sizes.Select((size, i) => ($"d{i % 20:D2}/file{i:D5}.bin", size)).ToList();

        // Forward, small files: written straight into the emulator's volume directory (setup speed).
        var forward = $"files_{ctx.Suffix}";
        await ctx.SqlAsync($"CREATE VOLUME {BenchContext.Catalog}.{BenchContext.Schema}.{forward}", ct);
        BenchContext.Step(F($"volume: writing {smallFiles:N0} files ({sizes.Sum() / MiB:F0} MiB) into /Volumes/{BenchContext.Catalog}/{BenchContext.Schema}/{forward}"));
        var dir = ctx.EmulatorVolumeDirectory(forward);
        foreach (var (path, size) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, Content(size, path.GetHashCode()), ct);
        }
        var forwardRoot = $"/Volumes/{BenchContext.Catalog}/{BenchContext.Schema}/{forward}";
        var forwardId = await ctx.CreateConfigAsync($"bench volume forward {ctx.Suffix}", "volume_forward", forwardRoot, null, ct);
        await ctx.RestartAppAsync(ct);
        BenchContext.Step("volume: forward run (small files)");
        var (run, wall) = await ctx.RunAsync(forwardId, ct);
        var peak = ctx.AppMemory().Peak / MiB;
        var raw = await SecondsAsync(() => System.Threading.Tasks.Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (f, c) =>
        {
            await using var content = await ctx.Workspace.DownloadFileAsync($"{forwardRoot}/{f.Item1}", c);
            await ctx.Blobs.UploadAsync(ExportScenario.Container, $"raw/{forward}/{f.Item1}", content, null, c);
        }));
        cases.Add(FileCase(F($"forward: {smallFiles:N0} files of 4-64 KiB, volume -> blob"), run, wall, peak, smallFiles,
            Limit(F($"raw copy: download + upload of the same files, {Parallel} at a time"), raw, wall.TotalSeconds)));

        // Reverse, small files: dropped as blobs under volumes/{config}/.
        var inbox = $"inbox_{ctx.Suffix}";
        await ctx.SqlAsync($"CREATE VOLUME {BenchContext.Catalog}.{BenchContext.Schema}.{inbox}", ct);
        var inboxRoot = $"/Volumes/{BenchContext.Catalog}/{BenchContext.Schema}/{inbox}";
        var reverseId = await ctx.CreateConfigAsync($"bench volume reverse {ctx.Suffix}", "volume_reverse", inboxRoot, null, ct);
        // Each uploaded blob raises a blob event, and a triggered run would send the first files before the measured
        // run starts (it then sent 1,997 of 2,000). A paused config skips triggered runs but still takes a manual one
        // (SyncRunner), so the measured run is the only one that moves the files.
        await ctx.PostAsync($"api/databricks/sync-configs/{Uri.EscapeDataString(reverseId)}/pause", new { }, ct);
        BenchContext.Step(F($"volume: uploading {smallFiles:N0} blobs to volumes/{reverseId}/"));
        await System.Threading.Tasks.Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (f, c) =>
            await ctx.Blobs.UploadAsync("volumes", $"{reverseId}/{f.Item1}", new MemoryStream(Content(f.Item2, f.Item1.GetHashCode())), null, c));
        await ctx.RestartAppAsync(ct);
        BenchContext.Step("volume: reverse run (small files)");
        (run, wall) = await ctx.RunAsync(reverseId, ct);
        peak = ctx.AppMemory().Peak / MiB;
        raw = await SecondsAsync(() => System.Threading.Tasks.Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (f, c) =>
        {
            await using var content = await ctx.Blobs.OpenReadAsync("volumes", $"{reverseId}/{f.Item1}", c);
            await ctx.Workspace.UploadFileAsync($"{inboxRoot}/raw/{f.Item1}", content, true, c);
        }));
        cases.Add(FileCase(F($"reverse: {smallFiles:N0} files of 4-64 KiB, blob -> volume"), run, wall, peak, smallFiles,
            Limit(F($"raw copy: download + upload of the same files, {Parallel} at a time"), raw, wall.TotalSeconds)));

        // Forward, one large file.
        var big = $"big_{ctx.Suffix}";
        await ctx.SqlAsync($"CREATE VOLUME {BenchContext.Catalog}.{BenchContext.Schema}.{big}", ct);
        BenchContext.Step(F($"volume: writing one {largeBytes / MiB:F0} MiB file"));
        Directory.CreateDirectory(ctx.EmulatorVolumeDirectory(big));
        await using (var file = new FileStream(Path.Combine(ctx.EmulatorVolumeDirectory(big), "large.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var block = Content(1 << 20, 42);
            for (long written = 0; written < largeBytes; written += block.Length)
            {
                block[0] = (byte)(written >> 20);
                await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, largeBytes - written)), ct);
            }
        }
        var bigRoot = $"/Volumes/{BenchContext.Catalog}/{BenchContext.Schema}/{big}";
        var bigId = await ctx.CreateConfigAsync($"bench volume large {ctx.Suffix}", "volume_forward", bigRoot, null, ct);
        await ctx.RestartAppAsync(ct);
        BenchContext.Step("volume: forward run (one large file)");
        (run, wall) = await ctx.RunAsync(bigId, ct);
        peak = ctx.AppMemory().Peak / MiB;
        raw = await SecondsAsync(async () =>
        {
            await using var content = await ctx.Workspace.DownloadFileAsync($"{bigRoot}/large.bin", ct);
            await using var blob = await ctx.Blobs.OpenWriteAsync(ExportScenario.Container, $"raw/{big}/large.bin", null, ct);
            await content.CopyToAsync(blob, 4 << 20, ct);
            await blob.CommitAsync(ct);
        });
        var w = wall.TotalSeconds;
        var bytes = Long(run, "bytes");
        var limits = new List<Limit> { Limit(F($"raw copy: download + upload of the same {largeBytes / MiB:F0} MiB"), raw, w) };
        cases.Add(new CaseResult
        {
            Case = F($"forward: one {largeBytes / MiB:F0} MiB file, volume -> blob"), WallSeconds = w, RunSeconds = Long(run, "duration_ms") / 1000.0,
            Files = Long(run, "files"), Bytes = bytes, Throughput = bytes / 1e6 / w, ThroughputUnit = "MB/s", PeakWorkingSetMiB = peak,
            Limits = limits, Targets = CommonTargets(peak, w, limits),
        });
        return cases;
    }

    private static CaseResult FileCase(string label, JsonObject run, TimeSpan wall, double peak, int expected, Limit raw)
    {
        var files = Long(run, "files");
        if (files != expected) throw new InvalidOperationException($"{label}: the run sent {files} files, expected {expected}: {run.ToJsonString()}");
        var w = wall.TotalSeconds;
        var rate = files / w;
        var targets = CommonTargets(peak, w, [raw]);
        targets.Insert(0, AtLeast("small files", rate, 200, "files/s"));
        return new CaseResult
        {
            Case = label, WallSeconds = w, RunSeconds = Long(run, "duration_ms") / 1000.0, Files = files, Bytes = Long(run, "bytes"),
            Throughput = rate, ThroughputUnit = "files/s", PeakWorkingSetMiB = peak, Limits = [raw], Targets = targets,
        };
    }

    /// <summary>Sizes spread evenly over 4-64 KiB, in a fixed order.</summary>
    private static List<int> SmallSizes(int count)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count).Select(_ => random.Next(4 * 1024, 64 * 1024 + 1)).ToList();
    }

    private static byte[] Content(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
