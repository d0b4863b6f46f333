using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Functions.Hosting;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The queue, blob and timer triggers, fired by the local host against the real worker.</summary>
[Collection(ApiCollection.Name)]
public sealed class TriggerTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Configs = "/api/databricks/sync-configs";

    [Fact]
    public async Task One_sync_runs_message_runs_exactly_its_config()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var target = Id(await CreateConfigAsync(principal));
        var bystander = Id(await CreateConfigAsync(principal));
        var runId = SyncRunRepository.NewRunId(DateTimeOffset.UtcNow);

        await Fixture.Queue(StorageRunQueue.Name).SendMessageAsync(RunQueueMessage.Format(new QueuedRun(target, RunTrigger.Timer, runId)));

        var run = await WaitForRunAsync($"{Configs}/{target}/runs/{runId}");
        Assert.Equal("timer", run.GetProperty("trigger").GetString());
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Empty(await RunsAsync(bystander));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_ends_in_the_poison_queue_and_leaves_a_failed_run()
    {
        var table = $"main.default.gone_{Guid.NewGuid():N}"[..40];
        await Fixture.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, label STRING)", write: true);
        var principal = Id(await RegisterPrincipalAsync());
        var created = await Admin.PostAsync(Configs, Json(new { name = "gone", config_type = "table", databricks_path = table, service_principal_id = principal, pk_column = "id", label_column = "label" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var config = Id(await ReadJsonAsync(created));
        await Fixture.SqlAsync($"DROP TABLE {table}", write: true);
        var runId = SyncRunRepository.NewRunId(DateTimeOffset.UtcNow);

        await Fixture.Queue(StorageRunQueue.Name).SendMessageAsync(RunQueueMessage.Format(new QueuedRun(config, RunTrigger.Timer, runId)));

        var poison = Fixture.Queue(StorageRunQueue.PoisonName);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (await poison.ExistsAsync())
            {
                var peeked = (await poison.PeekMessagesAsync(32)).Value;
                if (peeked.Any(m => m.Body.ToString().Contains(runId, StringComparison.Ordinal))) break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the failing message never reached sync-runs-poison");
            await Task.Delay(500);
        }
        var run = await ReadJsonAsync(await Admin.GetAsync($"{Configs}/{config}/runs/{runId}"));
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(run.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task A_tick_enqueues_only_due_active_configs()
    {
        var principal = Id(await RegisterPrincipalAsync());
        var active = Id(await CreateConfigAsync(principal));
        var paused = Id(await CreateConfigAsync(principal));
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsync($"{Configs}/{paused}/pause", null)).StatusCode);

        // A host of its own whose timer fires every 2 s (the shared host's never fires): several ticks in a few seconds.
        // Its own host id too: under the shared one the shared host holds SyncTimer's singleton listener lock. With
        // another host id its blob receipts differ as well, so its blob triggers stay off (the shared host's take the drops).
        await using var ticking = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>
        {
            [SettingNames.SyncTimerSchedule] = "*/2 * * * * *",
            ["AzureFunctionsWebHost__hostid"] = "dbxsync-ticking-test",
            ["AzureWebJobs_ImportLabeledFile_Disabled"] = "true",
            ["AzureWebJobs_SyncToVolume_Disabled"] = "true",
        });
        var first = await WaitForAnyRunAsync(active);
        Assert.Equal("timer", first.GetProperty("trigger").GetString());
        Assert.Equal("succeeded", first.GetProperty("outcome").GetString());
        var ticks = TickLines(ticking);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (TickLines(ticking) < ticks + 3 && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.True(TickLines(ticking) >= ticks + 3, "the timer stopped ticking");

        // Its poll interval (60 s) has not passed, so later ticks did not enqueue the active config again; the paused one never ran.
        // Either host's RunSync may have taken the message: count both.
        int RunnerLines(string configId) => Fixture.Host.Output.Concat(ticking.Host.Output)
            .Count(l => l.Contains($"config {configId}:", StringComparison.Ordinal) && l.Contains("Run ", StringComparison.Ordinal));
        Assert.Single(await RunsAsync(active));
        Assert.Equal(1, RunnerLines(active));
        Assert.Empty(await RunsAsync(paused));
        Assert.Equal(0, RunnerLines(paused));
    }

    private static int TickLines(ApiFixture host) => host.Host.Output.Count(l => l.Contains("Tick: ", StringComparison.Ordinal));

    [Fact]
    public async Task A_labeled_file_dropped_in_storage_is_imported_by_the_blob_trigger()
    {
        var config = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "table_reverse"));
        var name = $"{config}/drop-{Guid.NewGuid():N}.csv";
        await Fixture.UploadAsync("labeled", name, "id,text,label\n3,a bird on a wire,bird\n");

        var run = await WaitForAnyRunAsync(config);
        Assert.Equal("blob_event", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("outcome").GetString() == "succeeded", run.ToString());
        Assert.NotNull(await WaitForBlobAsync("processed", name));
        Assert.Null(await Fixture.Blobs.GetPropertiesAsync("labeled", name));
    }

    [Fact]
    public async Task A_blob_dropped_under_volumes_is_uploaded_into_the_volume_by_the_blob_trigger()
    {
        var config = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "volume_reverse"));
        var relative = $"incoming-{Guid.NewGuid():N}/notes.txt";
        await Fixture.UploadAsync("volumes", $"{config}/{relative}", "from blob storage");

        var run = await WaitForAnyRunAsync(config);
        Assert.Equal("blob_event", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("outcome").GetString() == "succeeded", run.ToString());
        await using var file = await Fixture.Workspace.DownloadFileAsync($"{ApiFixture.Volume}/{relative}");
        Assert.Equal("from blob storage", await new StreamReader(file).ReadToEndAsync());
    }

    private async Task<object?> WaitForBlobAsync(string container, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Fixture.Blobs.GetPropertiesAsync(container, name) is not { } properties)
        {
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(250);
        }
        return true;
    }
}
