using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.Annotations;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// annotations_reverse end to end on the emulator and Azurite: JSON Lines dropped in annotations/{config}/ land in an
/// inputs and an annotations Delta table, guarded by a real TIMESTAMP modified_at (Clarifai's module compares
/// formatted strings without a year, which orders edits wrongly across months and years and drops same-minute edits).
/// </summary>
public sealed class AnnotationsImportTests
{
    private sealed record Tables(SyncStack Stack, SyncConfig Config, string Inputs, string Annotations);

    private static async Task<Tables> CreateAsync(SyncStack stack)
    {
        var inputs = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("inputs")}";
        var annotations = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("annotations")}";
        var config = await stack.CreateConfigAsync(new SyncConfigInput { ConfigType = "annotations_reverse", InputsTable = inputs, AnnotationsTable = annotations });
        return new Tables(stack, config, inputs, annotations);
    }

    private static string Line(string id, string input, string modified, string[]? concepts = null, bool deleted = false, string? region = null, string user = "u1")
    {
        var fields = new Dictionary<string, object?>
        {
            ["annotation_id"] = id, ["input_id"] = input, ["user_id"] = user, ["created_at"] = "2026-01-01T00:00:00Z", ["modified_at"] = modified,
        };
        if (concepts is not null) fields["concepts"] = concepts;
        if (deleted) fields["deleted"] = true;
        var json = JsonSerializer.Serialize(fields);
        return region is null ? json : json[..^1] + ",\"region\":" + region + "}";
    }

    /// <summary>Drops a file and delivers its blob event; returns the run.</summary>
    private static async Task<SyncRun> DropAsync(Tables t, string name, params string[] lines)
    {
        var blobName = $"{t.Config.Id}/{name}";
        await t.Stack.UploadTextAsync(BlobContainers.Annotations, blobName, string.Join("\n", lines) + "\n");
        var run = await t.Stack.Dispatcher.HandleAsync(BlobContainers.Annotations, blobName);
        Assert.NotNull(run);
        return run;
    }

    private static async Task<JsonElement> ReportAsync(Tables t, string name)
        => JsonDocument.Parse(await t.Stack.ReadBlobAsync(BlobContainers.Processed, $"{t.Config.Id}/{name}.report.json")).RootElement;

    /// <summary>annotation_id -> "concepts|deleted|modified_at".</summary>
    private static async Task<Dictionary<string, string>> AnnotationsAsync(Tables t)
        => (await t.Stack.QueryAsync($"SELECT annotation_id, to_json(concepts), deleted, CAST(modified_at AS STRING) FROM {t.Annotations}"))
            .ToDictionary(r => r[0]!, r => $"{r[1]}|{r[2]}|{r[3]}");

    private static async Task<List<string>> SnapshotAsync(Tables t, string table, string key)
        => (await t.Stack.QueryAsync($"SELECT * FROM {table} ORDER BY {key}")).Select(r => string.Join("|", r.Select(c => c ?? "<null>"))).ToList();

    [Fact]
    public async Task Json_lines_land_in_both_tables_typed_and_readable_by_path_and_from_json()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);

        var run = await DropAsync(t, "batch1.jsonl",
            Line("a1", "images/cat.jpg", "2026-03-01T10:00:00Z", ["cat"], region: """{"bounding_box":{"top_row":0.1,"left_col":0.2,"bottom_row":0.5,"right_col":0.6}}"""),
            Line("a2", "images/cat.jpg", "2026-03-01T10:05:00Z", ["cat", "cute"], region: """{"polygon":{"points":[{"row":0.1,"col":0.1},{"row":0.2,"col":0.5},{"row":0.6,"col":0.3}]}}"""),
            Line("a3", "images/dog.png", "2026-03-02T09:00:00.123456+02:00", ["dog"]));

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(RunTrigger.BlobEvent, run.Trigger);
        Assert.Equal(3, run.InsertedRows);
        Assert.Equal($"{BlobContainers.Processed}/{t.Config.Id}/batch1.jsonl", run.Output);
        Assert.Null(await stack.Blobs.GetPropertiesAsync(BlobContainers.Annotations, $"{t.Config.Id}/batch1.jsonl"));
        var report = await ReportAsync(t, "batch1.jsonl");
        Assert.Equal(3, report.GetProperty("inserted").GetInt64());
        Assert.Equal(0, report.GetProperty("updated").GetInt64());
        Assert.Equal(2, report.GetProperty("inputs_inserted").GetInt64());

        // Typed columns, as documented.
        var columns = (await stack.Workspace.GetTableAsync(t.Annotations))!.Columns.ToDictionary(c => c.Name, c => c.TypeText.ToUpperInvariant().Replace(" ", ""));
        Assert.Equal("ARRAY<STRING>", columns["concepts"]);
        Assert.Equal("TIMESTAMP", columns["modified_at"]);
        Assert.Equal("TIMESTAMP", columns["created_at"]);
        Assert.Equal("BOOLEAN", columns["deleted"]);

        var rows = await AnnotationsAsync(t);
        Assert.Equal("""["cat","cute"]|false|2026-03-01 10:05:00""", rows["a2"]);
        // The offset is applied: 09:00 at +02:00 is 07:00 UTC.
        Assert.Equal("""["dog"]|false|2026-03-02 07:00:00.123456""", rows["a3"]);

        // region is JSON text: Databricks' ':' path syntax and from_json both read it.
        var top = await stack.QueryAsync($"SELECT region:bounding_box.top_row FROM {t.Annotations} WHERE annotation_id = 'a1'");
        Assert.Equal("0.1", top.Single()[0]);
        var points = await stack.QueryAsync($"SELECT size(from_json(region:polygon.points, 'ARRAY<STRUCT<row: DOUBLE, col: DOUBLE>>')) FROM {t.Annotations} WHERE annotation_id = 'a2'");
        Assert.Equal("3", points.Single()[0]);
        var concept = await stack.QueryAsync($"SELECT annotation_id FROM {t.Annotations} WHERE array_contains(concepts, 'cute')");
        Assert.Equal("a2", concept.Single()[0]);

        // Inputs: one row per input_id, modified_at the newest of its annotations.
        var inputs = (await stack.QueryAsync($"SELECT input_id, CAST(modified_at AS STRING), deleted FROM {t.Inputs} ORDER BY input_id")).Select(r => string.Join("|", r)).ToList();
        Assert.Equal(["images/cat.jpg|2026-03-01 10:05:00|false", "images/dog.png|2026-03-02 07:00:00.123456|false"], inputs);
    }

    [Fact]
    public async Task Edits_are_ordered_by_time_across_months_and_across_a_year_boundary()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);

        Assert.Equal(RunOutcome.Succeeded, (await DropAsync(t, "1.jsonl",
            Line("month", "i1", "2026-01-31T23:59:59Z", ["january"]),
            Line("year", "i2", "2026-12-31T23:59:59.5Z", ["december"]))).Outcome);
        // Later by real time; as "%m/%d %H:%M" text without a year, "02/01 00:00" and "01/01 00:00" both sort wrongly.
        var later = await DropAsync(t, "2.jsonl",
            Line("month", "i1", "2026-02-01T00:00:00Z", ["february"]),
            Line("year", "i2", "2027-01-01T00:00:00Z", ["new-year"]));
        Assert.Equal(2, later.UpdatedRows);
        // Earlier by real time though "later" as text without a year (12/30 > 01/01): skipped as older.
        var older = await DropAsync(t, "3.jsonl",
            Line("month", "i1", "2025-12-30T12:00:00Z", ["stale"]),
            Line("year", "i2", "2026-12-30T12:00:00Z", ["stale"]));
        Assert.True(older.Outcome == RunOutcome.Succeeded, older.Error);
        Assert.Equal(0, older.UpdatedRows);
        Assert.Equal(2, (await ReportAsync(t, "3.jsonl")).GetProperty("skipped_as_older").GetInt64());

        var rows = await AnnotationsAsync(t);
        Assert.Equal("""["february"]|false|2026-02-01 00:00:00""", rows["month"]);
        Assert.Equal("""["new-year"]|false|2027-01-01 00:00:00""", rows["year"]);
        var inputs = (await stack.QueryAsync($"SELECT input_id, CAST(modified_at AS STRING) FROM {t.Inputs} ORDER BY input_id")).Select(r => string.Join("|", r)).ToList();
        Assert.Equal(["i1|2026-02-01 00:00:00", "i2|2027-01-01 00:00:00"], inputs);
    }

    [Fact]
    public async Task Of_two_edits_in_the_same_minute_the_later_wins_in_either_delivery_order()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);

        await DropAsync(t, "1.jsonl", Line("in-order", "i1", "2026-05-05T12:00:05Z", ["first"]), Line("reversed", "i1", "2026-05-05T12:00:45Z", ["second"]));
        var run = await DropAsync(t, "2.jsonl", Line("in-order", "i1", "2026-05-05T12:00:45Z", ["second"]), Line("reversed", "i1", "2026-05-05T12:00:05Z", ["first"]));
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(1, run.UpdatedRows);

        var rows = await AnnotationsAsync(t);
        Assert.Equal("""["second"]|false|2026-05-05 12:00:45""", rows["in-order"]);
        Assert.Equal("""["second"]|false|2026-05-05 12:00:45""", rows["reversed"]);
    }

    [Fact]
    public async Task Redelivery_of_the_same_file_changes_nothing()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);
        string[] lines = [Line("a1", "i1", "2026-06-01T08:00:00Z", ["x"]), Line("a2", "i2", "2026-06-01T08:00:01Z", ["y"]), Line("a3", "i2", "2026-06-01T08:00:02Z", null, deleted: true)];
        await DropAsync(t, "first.jsonl", lines);
        var annotations = await SnapshotAsync(t, t.Annotations, "annotation_id");
        var inputs = await SnapshotAsync(t, t.Inputs, "input_id");

        // The platform delivers the same export again (a new blob, so a new ETag and a fresh import).
        var again = await DropAsync(t, "again.jsonl", lines);
        Assert.True(again.Outcome == RunOutcome.Succeeded, again.Error);
        Assert.Equal(0, again.InsertedRows);
        Assert.Equal(0, again.UpdatedRows);
        var report = await ReportAsync(t, "again.jsonl");
        Assert.Equal(3, report.GetProperty("unchanged").GetInt64());
        Assert.Equal(0, report.GetProperty("tombstoned").GetInt64());
        Assert.Equal(0, report.GetProperty("inputs_updated").GetInt64());
        Assert.Equal(annotations, await SnapshotAsync(t, t.Annotations, "annotation_id"));
        Assert.Equal(inputs, await SnapshotAsync(t, t.Inputs, "input_id"));
    }

    [Fact]
    public async Task A_tombstone_holds_against_an_older_redelivered_edit()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);
        var edit = Line("a1", "i1", "2026-07-01T10:00:00Z", ["cat"]);
        await DropAsync(t, "1.jsonl", edit);
        var deleted = await DropAsync(t, "2.jsonl",
            Line("a1", "i1", "2026-07-01T10:00:01Z", null, deleted: true),
            // A tombstone for an id never seen is kept too, so its older edit arriving later cannot create it.
            Line("ghost", "i1", "2026-07-02T00:00:00Z", null, deleted: true));
        Assert.True(deleted.Outcome == RunOutcome.Succeeded, deleted.Error);
        Assert.Equal(2, (await ReportAsync(t, "2.jsonl")).GetProperty("tombstoned").GetInt64());

        var resurrect = await DropAsync(t, "3.jsonl", edit, Line("ghost", "i1", "2026-07-01T23:59:59Z", ["boo"]));
        Assert.True(resurrect.Outcome == RunOutcome.Succeeded, resurrect.Error);
        Assert.Equal(0, resurrect.UpdatedRows);
        Assert.Equal(0, resurrect.InsertedRows);

        var rows = await AnnotationsAsync(t);
        // The row stays, flagged, with the tombstone's time; the content it had is kept for audit.
        Assert.Equal("""["cat"]|true|2026-07-01 10:00:01""", rows["a1"]);
        Assert.Equal("|true|2026-07-02 00:00:00", rows["ghost"]);
        // Live annotations are the ones not flagged (the README's query).
        var live = await stack.QueryAsync($"SELECT COUNT(*) FROM {t.Annotations} WHERE NOT deleted");
        Assert.Equal("0", live.Single()[0]);
    }

    [Fact]
    public async Task Duplicate_ids_in_one_file_keep_the_newest_and_are_counted()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);
        var run = await DropAsync(t, "dups.jsonl",
            Line("a1", "i1", "2026-08-01T10:00:00Z", ["old"]),
            Line("a1", "i1", "2026-08-01T10:00:30Z", ["newest"]),
            Line("a1", "i1", "2026-08-01T10:00:10Z", ["middle"]),
            Line("a2", "i1", "2026-08-01T10:00:00Z", ["only"]));
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(2, run.InsertedRows);
        var report = await ReportAsync(t, "dups.jsonl");
        Assert.Equal(4, report.GetProperty("records").GetInt64());
        Assert.Equal(2, report.GetProperty("duplicates_dropped").GetInt64());
        Assert.Equal("""["newest"]|false|2026-08-01 10:00:30""", (await AnnotationsAsync(t))["a1"]);
    }

    [Fact]
    public async Task A_bad_line_fails_the_file_with_its_line_number_and_changes_nothing()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);
        await DropAsync(t, "good.jsonl", Line("a1", "i1", "2026-09-01T10:00:00Z", ["cat"]));
        var annotations = await SnapshotAsync(t, t.Annotations, "annotation_id");
        var inputs = await SnapshotAsync(t, t.Inputs, "input_id");
        var history = await stack.HistoryAsync(t.Annotations);

        var run = await DropAsync(t, "bad.jsonl",
            Line("a1", "i1", "2026-09-02T10:00:00Z", ["dog"]),
            Line("a2", "i2", "2026-09-02T10:00:00Z", ["dog"]),
            "",
            Line("a3", "i3", "09/02 10:00", ["dog"]));
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("line 4", run.Error);
        Assert.Contains("modified_at", run.Error);
        Assert.Equal($"{BlobContainers.Failed}/{t.Config.Id}/bad.jsonl", run.Output);
        var errors = JsonDocument.Parse(await stack.ReadBlobAsync(BlobContainers.Failed, $"{t.Config.Id}/bad.jsonl.errors.json")).RootElement;
        var error = errors.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal(4, error.GetProperty("line").GetInt64());
        Assert.Equal("modified_at", error.GetProperty("column").GetString());

        Assert.Equal(annotations, await SnapshotAsync(t, t.Annotations, "annotation_id"));
        Assert.Equal(inputs, await SnapshotAsync(t, t.Inputs, "input_id"));
        Assert.Equal(history, await stack.HistoryAsync(t.Annotations));
    }

    [Fact]
    public async Task The_timer_scan_imports_files_whose_event_was_lost()
    {
        await using var stack = await SyncStack.CreateAsync();
        var t = await CreateAsync(stack);
        await stack.UploadTextAsync(BlobContainers.Annotations, $"{t.Config.Id}/lost.jsonl", Line("a1", "i1", "2026-10-01T00:00:00Z", ["x"]) + "\n");
        await stack.UploadTextAsync(BlobContainers.Annotations, $"{t.Config.Id}/notes.txt", "not an annotation file");

        var run = await stack.RunAsync(t.Config.Id, RunTrigger.Scan);
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.Equal(1, run.InsertedRows);
        Assert.NotNull(await stack.Blobs.GetPropertiesAsync(BlobContainers.Annotations, $"{t.Config.Id}/notes.txt"));
    }

    [Fact]
    public async Task The_inputs_and_annotations_tables_must_differ()
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("same")}";
        var ex = await Assert.ThrowsAsync<ValidationException>(() => stack.CreateConfigAsync(new SyncConfigInput
        {
            ConfigType = "annotations_reverse", InputsTable = table, AnnotationsTable = table.ToUpperInvariant(),
        }));
        Assert.Equal("annotations_table", ex.Field);
    }
}
