using System.Globalization;
using System.Text.Json;
using DbxSync.Functions.Tests.Infrastructure;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The volume blob trigger binds a BlobClient, never the content: a 1 GiB blob streams through the worker with flat memory.</summary>
[Collection(ApiCollection.Name)]
public sealed class LargeBlobTriggerTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const long OneGiB = 1L << 30;
    private const long MiB = 1L << 20;

    [Fact]
    public async Task A_1_GiB_volume_blob_streams_into_the_volume_with_flat_worker_memory()
    {
        var config = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "volume_reverse"));
        var relative = $"large-{Guid.NewGuid():N}/one-gib.bin";
        var worker = (await Fixture.Host.GetStatusAsync()).WorkerProcessId ?? throw new InvalidOperationException("no worker");
        ResetPeak(worker);
        var before = Resident(worker, "VmRSS");

        var source = new GeneratedStream(OneGiB, seed: 12);
        await Fixture.Blobs.UploadAsync("volumes", $"{config}/{relative}", source);

        var deadline = DateTime.UtcNow.AddMinutes(10);
        JsonElement run;
        while (true)
        {
            var items = (await ReadJsonAsync(await Admin.GetAsync($"/api/databricks/sync-configs/{config}/runs"))).GetProperty("items");
            run = items.EnumerateArray().FirstOrDefault(r => r.GetProperty("outcome").GetString() is not ("queued" or "running"));
            if (run.ValueKind == JsonValueKind.Object) break;
            Assert.True(DateTime.UtcNow < deadline, "the 1 GiB blob was not synced within 10 minutes");
            await Task.Delay(1000);
        }
        var peak = Resident(worker, "VmHWM");
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"1 GiB volume blob through SyncToVolume: worker RSS before {before / (double)MiB:F0} MiB, peak {peak / (double)MiB:F0} MiB, growth {(peak - before) / (double)MiB:F0} MiB");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "dbxsync-functionstests-figures.txt"), figures + Environment.NewLine);

        Assert.True(run.GetProperty("outcome").GetString() == "succeeded", run.ToString());
        Assert.Equal(OneGiB, run.GetProperty("bytes").GetInt64());
        Assert.Equal(OneGiB, (await Fixture.Workspace.GetFileMetadataAsync($"{ApiFixture.Volume}/{relative}"))!.Length);
        // A buffered 1 GiB would show as ~1 GiB of growth; streaming stays within a few buffers.
        Assert.True(peak - before < 160 * MiB, figures);
        await Fixture.Blobs.DeleteAsync("volumes", $"{config}/{relative}");
    }

    /// <summary>Linux: "5" to clear_refs resets a process's peak resident set (VmHWM) to its current one.</summary>
    private static void ResetPeak(int pid)
    {
        try { File.WriteAllText($"/proc/{pid}/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static long Resident(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
