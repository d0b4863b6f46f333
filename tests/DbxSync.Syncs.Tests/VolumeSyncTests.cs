using System.Text;
using DbxSync.Core.Configs;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Emulator.Sql;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>volume_forward and volume_reverse through the Files API and Blob storage.</summary>
public sealed class VolumeSyncTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task PutAsync(SyncStack stack, string path, byte[] content)
        => await stack.Workspace.UploadFileAsync(path, new MemoryStream(content), overwrite: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Forward_copies_nested_files_byte_identical_then_only_changes_and_deletes_per_config(bool propagateDeletes)
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync();
        var files = new Dictionary<string, byte[]>
        {
            ["readme.txt"] = Encoding.UTF8.GetBytes("hello\n"),
            ["images/2026/cat.bin"] = Bytes(300 * 1024, 1),
            ["images/2026/deep/er/dog.bin"] = Bytes(70 * 1024 + 3, 2),
            ["empty.dat"] = [],
            ["names with spaces/é ü.txt"] = Encoding.UTF8.GetBytes("unicode"),
        };
        foreach (var (path, content) in files) await PutAsync(stack, $"{volume}/{path}", content);
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_forward", DatabricksPath = volume, PropagateDeletes = propagateDeletes });

        var run = await stack.RunAsync(config.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(files.Count, run.Files);
        Assert.Equal(files.Values.Sum(f => (long)f.Length), run.Bytes);
        var blobs = await stack.ListAsync(BlobContainers.Volumes, config.Id + "/");
        Assert.Equal(files.Keys.Select(k => $"{config.Id}/{k}").Order(StringComparer.Ordinal), blobs.Select(b => b.Name).Order(StringComparer.Ordinal));
        foreach (var (path, content) in files)
            Assert.Equal(content, await stack.ReadBlobAsync(BlobContainers.Volumes, $"{config.Id}/{path}"));

        // Nothing changed: nothing is sent.
        var second = await stack.RunAsync(config.Id);
        Assert.Equal(RunOutcome.NoChange, second.Outcome);
        Assert.Equal(0, second.Files);

        // One file changes (same size, new bytes), one is deleted in the volume.
        await Task.Delay(20);
        var changed = Bytes(300 * 1024, 99);
        await PutAsync(stack, $"{volume}/images/2026/cat.bin", changed);
        Assert.True(await stack.Workspace.DeleteFileAsync($"{volume}/readme.txt"));
        var third = await stack.RunAsync(config.Id);
        Assert.True(third.Outcome == RunOutcome.Succeeded, third.Error);
        Assert.Equal(1, third.Files);
        Assert.Equal(changed.Length, third.Bytes);
        Assert.Equal(changed, await stack.ReadBlobAsync(BlobContainers.Volumes, $"{config.Id}/images/2026/cat.bin"));
        var readme = await stack.Blobs.GetPropertiesAsync(BlobContainers.Volumes, $"{config.Id}/readme.txt");
        if (propagateDeletes) Assert.Null(readme);
        else Assert.NotNull(readme);

        var fourth = await stack.RunAsync(config.Id);
        Assert.Equal(RunOutcome.NoChange, fourth.Outcome);
        Assert.Equal(0, fourth.Files);
    }

    [Fact]
    public async Task Forward_refuses_names_that_could_escape_the_target_and_sends_the_rest()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync();
        await PutAsync(stack, $"{volume}/ok/fine.txt", Encoding.UTF8.GetBytes("fine"));
        // A name the Files API would never accept, put straight into the volume's storage: a backslash segment.
        var engine = (SqliteDeltaEngine)stack.Handle.Engine;
        var parts = volume.Split('/');
        var directory = engine.GetVolumeDirectory(parts[2], parts[3], parts[4]);
        File.WriteAllText(Path.Combine(directory, "ok", "..\\..\\escape.txt"), "evil");

        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_forward", DatabricksPath = volume });
        var run = await stack.RunAsync(config.Id);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(1, run.Files);
        Assert.Contains("1 refused", run.Message);
        var names = (await stack.ListAsync(BlobContainers.Volumes, "")).Select(b => b.Name).Where(n => n.Contains("escape", StringComparison.Ordinal)).ToList();
        Assert.Empty(names);
        Assert.Equal([$"{config.Id}/ok/fine.txt"], (await stack.ListAsync(BlobContainers.Volumes, config.Id + "/")).Select(b => b.Name));
    }

    [Fact]
    public async Task Reverse_lands_blobs_in_the_volume_creating_directories_and_refuses_traversal()
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("inbox");
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_reverse", DatabricksPath = volume });
        var content = Bytes(40 * 1024, 5);

        // Blob event for one blob.
        await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/a/b/c.txt", content);
        var run = await stack.Dispatcher.HandleAsync(BlobContainers.Volumes, $"{config.Id}/a/b/c.txt");
        Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(1, run.Files);
        await using (var landed = await stack.Workspace.DownloadFileAsync($"{volume}/a/b/c.txt"))
        {
            var copy = new MemoryStream();
            await landed.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }

        // Scan (timer safety net): a second blob, the first one unchanged, a traversal name refused.
        await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/x/y.txt", Encoding.UTF8.GetBytes("y"));
        await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/x\\..\\..\\evil.txt", Encoding.UTF8.GetBytes("evil"));
        var scan = await stack.RunAsync(config.Id, RunTrigger.Scan);
        Assert.True(scan.Outcome == RunOutcome.Succeeded, scan.Error);
        Assert.Equal(1, scan.Files);
        Assert.Contains("1 refused", scan.Message);
        Assert.NotNull(await stack.Workspace.GetFileMetadataAsync($"{volume}/x/y.txt"));
        var all = new List<string>();
        await foreach (var e in stack.Workspace.ListDirectoryRecursiveAsync(volume)) if (!e.IsDirectory) all.Add(e.Path[(volume.Length + 1)..]);
        Assert.Equal(["a/b/c.txt", "x/y.txt"], all.Order(StringComparer.Ordinal));
        var parts = volume.Split('/');
        var directory = ((SqliteDeltaEngine)stack.Handle.Engine).GetVolumeDirectory(parts[2], parts[3], parts[4]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path.GetDirectoryName(directory))!, "*evil*", SearchOption.AllDirectories));

        // The same event again: already sent, nothing to do.
        var again = await stack.Dispatcher.HandleAsync(BlobContainers.Volumes, $"{config.Id}/a/b/c.txt");
        Assert.Equal(0, again!.Files);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reverse_scan_propagates_deletes_only_when_configured(bool propagateDeletes)
    {
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("inbox");
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_reverse", DatabricksPath = volume, PropagateDeletes = propagateDeletes });
        await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/keep.txt", Encoding.UTF8.GetBytes("keep"));
        await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/dir/gone.txt", Encoding.UTF8.GetBytes("gone"));
        Assert.Equal(2, (await stack.RunAsync(config.Id, RunTrigger.Scan)).Files);

        await stack.Blobs.DeleteAsync(BlobContainers.Volumes, $"{config.Id}/dir/gone.txt");
        var run = await stack.RunAsync(config.Id, RunTrigger.Scan);
        Assert.NotEqual(RunOutcome.Failed, run.Outcome);
        Assert.Equal(0, run.Files);
        var gone = await stack.Workspace.GetFileMetadataAsync($"{volume}/dir/gone.txt");
        if (propagateDeletes) Assert.Null(gone);
        else Assert.NotNull(gone);
        Assert.NotNull(await stack.Workspace.GetFileMetadataAsync($"{volume}/keep.txt"));
    }
    [Fact]
    public async Task Reverse_records_every_landed_file_across_several_manifest_batches_so_a_rescan_sends_none()
    {
        // 250 files: more than two Table Storage transactions (100 entries each), the last one partly filled.
        await using var stack = await SyncStack.CreateAsync();
        var volume = await stack.CreateVolumeAsync("inbox");
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "volume_reverse", DatabricksPath = volume });
        for (var i = 0; i < 250; i++)
            await stack.UploadAsync(BlobContainers.Volumes, $"{config.Id}/d{i % 3}/f{i:D3}.txt", Encoding.UTF8.GetBytes($"file {i}"));

        var first = await stack.RunAsync(config.Id, RunTrigger.Scan);
        Assert.True(first.Outcome == RunOutcome.Succeeded, first.Error);
        Assert.Equal(250, first.Files);
        var again = await stack.RunAsync(config.Id, RunTrigger.Scan);
        Assert.Equal(0, again.Files);
        Assert.Contains("250 unchanged", again.Message);
    }
}
