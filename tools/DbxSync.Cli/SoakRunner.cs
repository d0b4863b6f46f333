using System.Diagnostics;
using System.Globalization;
using DbxSync.Core.Ports;

namespace DbxSync.Cli;

public sealed record SoakOptions
{
    public required int Cycles { get; init; }
    public required int Seed { get; init; }
    public IReadOnlyList<SoakFault> Faults { get; init; } = SoakFaults.All;
    /// <summary>Share of cycles each allowed fault kind strikes (evenly spread: <see cref="SoakSchedule"/>).</summary>
    public double FaultChance { get; init; } = 0.3;
    public int MinRows { get; init; } = 5;
    public int MaxRows { get; init; } = 25;
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(240);
    /// <summary>Share of the app's storage requests failed in a cycle with storage-errors; the SDKs' retries must absorb them.</summary>
    public double StorageErrorRate { get; init; } = 0.05;
}

public sealed record SoakResult(bool Passed, int Cycles, int? FailedCycle, IReadOnlyList<string> Problems);

/// <summary>
/// N labeling cycles against the running stack, faults drawn from the seed, an exactness check after each cycle.
/// Each cycle's draws come from its own generator (seed, cycle), so a replay with the same seed meets the same
/// faults at the same cycle whatever the timing of earlier ones (<see cref="SoakSchedule"/>).
/// </summary>
public sealed class SoakRunner(SoakStack stack, SoakOptions options, TextWriter output)
{
    private const string Marker = "_dbxsync_row_marker";
    private static readonly string[] Texts = ["a photo of a cat", "a dog in the park", "a bird on a wire", "a fish tank", "a red car"];
    private readonly SoakLedger _ledger = new();
    private readonly HashSet<string> _seenExports = new(StringComparer.Ordinal);
    private readonly List<(string Name, CsvTable Csv)> _relabel = new();
    private readonly Dictionary<SoakFault, int> _injected = SoakFaults.All.ToDictionary(f => f, _ => 0);
    private long _nextId = 1;
    private int _rerunsRequested;
    private string _table = "", _exportId = "", _importId = "";

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        output.WriteLine($"soak: {options.Cycles} cycles, seed {options.Seed}, faults {string.Join(",", options.Faults.Select(f => f.Name()))}");
        await SetUpAsync(cancellationToken);
        var failedBefore = await stack.EmulatorFailedRequestsAsync(cancellationToken);
        var storageBefore = await stack.StorageErrorsAsync(cancellationToken);
        var startsBefore = (await stack.WorkerAsync(cancellationToken)).Starts;
        List<string> problems = [];
        var cycle = 1;
        var interrupted = false;
        for (; cycle <= options.Cycles + 1 && problems.Count == 0; cycle++)
        {
            var last = cycle > options.Cycles;
            var cycleClock = Stopwatch.StartNew();
            var faults = new SortedSet<SoakFault>();
            try
            {
                // After the last cycle, one quiet export: rows changed in it must go out again.
                problems = last ? await FinalExportAsync(cancellationToken) : await CycleAsync(cycle, faults, cancellationToken);
            }
            catch (Exception exception) when (exception is TimeoutException or ApiException or InvalidOperationException or HttpRequestException)
            {
                problems = [exception.Message];
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped (Ctrl-C, SIGTERM): the summary still covers the cycles completed.
                interrupted = true;
            }
            finally
            {
                await stack.SetEmulatorFaultsAsync(new { reset = true }, CancellationToken.None);
                await stack.SetStorageFaultsAsync(new { reset = true }, CancellationToken.None);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(last ? "final" : $"cycle {cycle}/{options.Cycles}")}: {_ledger.Count} rows, {_ledger.Labeled} labeled, faults [{string.Join(",", faults.Select(f => f.Name()))}], {cycleClock.Elapsed.TotalSeconds:F1} s: {(interrupted ? "interrupted" : problems.Count == 0 ? "exact" : "FAILED")}"));
            if (interrupted) break;
        }

        var failedCycle = problems.Count == 0 ? (int?)null : cycle - 1;
        var retries = await stack.EmulatorFailedRequestsAsync(CancellationToken.None) - failedBefore;
        var restarts = (await stack.WorkerAsync(CancellationToken.None)).Starts - startsBefore;
        var storageErrors = (await stack.StorageErrorsAsync(CancellationToken.None)).Select(kv => (kv.Key, Count: kv.Value - storageBefore.GetValueOrDefault(kv.Key))).ToList();
        output.WriteLine("summary:");
        output.WriteLine($"  seed {options.Seed}, cycles {Math.Min(cycle - 1, options.Cycles)} of {options.Cycles}, wall time {clock.Elapsed:hh\\:mm\\:ss}");
        output.WriteLine($"  rows {_nextId - 1} inserted, {_ledger.Count} in the table, {_ledger.Labeled} labeled");
        output.WriteLine($"  faults (cycles struck, by kind): {string.Join(", ", options.Faults.Select(f => $"{f.Name()} {_injected[f]}"))}");
        output.WriteLine($"  retries: {retries} Databricks requests answered 429/503, {storageErrors.Sum(e => e.Count)} storage requests failed"
            + $" ({(storageErrors.Count == 0 ? "no proxy" : string.Join(", ", storageErrors.Select(e => $"{e.Key.Replace('_', ' ')} {e.Count}")))}),"
            + $" {restarts?.ToString(CultureInfo.InvariantCulture) ?? "?"} worker restarts, {_rerunsRequested} runs requested again");
        if (interrupted)
            output.WriteLine($"  checks: every completed cycle exact; interrupted in cycle {cycle} (replay: ./dbxsync soak {options.Cycles} --seed {options.Seed})");
        else if (failedCycle is null)
            output.WriteLine("  checks: every cycle exact (labels, deleted rows, export rows, failed/, stale rows re-exported)");
        else
        {
            var faults = options.Faults.Count == SoakFaults.All.Count ? "" : $" --faults {(options.Faults.Count == 0 ? "none" : string.Join(",", options.Faults.Select(f => f.Name())))}";
            output.WriteLine($"  checks: FAILED at cycle {failedCycle} (seed {options.Seed}; replay: ./dbxsync soak {options.Cycles} --seed {options.Seed}{faults}):");
            foreach (var problem in problems.Take(20)) output.WriteLine($"    {problem}");
        }
        return new SoakResult(failedCycle is null && !interrupted, options.Cycles, failedCycle, problems);
    }

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _table = $"soak.labeling.items_s{options.Seed}_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await SqlAsync("CREATE CATALOG IF NOT EXISTS soak", cancellationToken);
        await SqlAsync("CREATE SCHEMA IF NOT EXISTS soak.labeling", cancellationToken);
        await SqlAsync("CREATE VOLUME IF NOT EXISTS soak.labeling.staging", cancellationToken);
        await SqlAsync($"CREATE TABLE {_table} (id BIGINT NOT NULL, text STRING, label STRING) TBLPROPERTIES (delta.enableChangeDataFeed = true)", cancellationToken);
        var principal = await stack.Api.PostAsync("api/databricks/service-principals", new Dictionary<string, object?>
        {
            ["name"] = $"soak {options.Seed}", ["workspace_url"] = stack.WorkspaceUrl, ["client_id"] = stack.ClientId,
            ["client_secret"] = stack.ClientSecret, ["warehouse_id"] = stack.WarehouseId,
        }, cancellationToken);
        async Task<string> Config(string type, Dictionary<string, object?> extra)
        {
            var body = new Dictionary<string, object?>
            {
                ["name"] = $"soak {options.Seed} {type}", ["config_type"] = type, ["databricks_path"] = _table,
                ["service_principal_id"] = (string)principal["id"]!, ["pk_column"] = "id", ["label_column"] = "label",
            };
            foreach (var (k, v) in extra) body[k] = v;
            return (string)(await stack.Api.PostAsync("api/databricks/sync-configs", body, cancellationToken))["id"]!;
        }
        _exportId = await Config("table", []);
        _importId = await Config("table_reverse", new() { ["use_staging"] = true, ["staging_volume_path"] = "/Volumes/soak/labeling/staging" });
        output.WriteLine($"soak: table {_table}, export config {_exportId}, import config {_importId}");
    }

    private async Task<List<string>> CycleAsync(int cycle, SortedSet<SoakFault> faults, CancellationToken cancellationToken)
    {
        var random = SoakSchedule.CycleRandom(options.Seed, cycle);
        foreach (var fault in SoakSchedule.FaultsOf(options.Seed, cycle, options.Cycles, options.Faults, options.FaultChance)) faults.Add(fault);
        foreach (var fault in faults) _injected[fault]++;

        // 1. New rows.
        var count = random.Next(options.MinRows, options.MaxRows + 1);
        var rows = Enumerable.Range(0, count).Select(_ => (Id: _nextId++, Text: "")).ToList();
        rows = rows.Select(r => (r.Id, $"{Texts[random.Next(Texts.Length)]} #{r.Id}")).ToList();
        await SqlAsync($"INSERT INTO {_table} (id, text, label) VALUES {string.Join(", ", rows.Select(r => $"({r.Id}, '{r.Text}', NULL)"))}", cancellationToken);
        foreach (var (id, text) in rows) _ledger.Inserted(id, text);

        // 2. The export, under the Databricks-side and process faults drawn.
        await stack.SetEmulatorFaultsAsync(new
        {
            reset = true,
            seed = random.Next(),
            retry_after_seconds = 1,
            throttle_rate = faults.Contains(SoakFault.Throttle) ? 0.15 : 0,
            unavailable_rate = faults.Contains(SoakFault.Unavailable) ? 0.15 : 0,
            statement_delay_ms = faults.Contains(SoakFault.SlowStatements) ? 1500 : 0,
        }, cancellationToken);
        // Storage errors stay on through the export and the import, for the app and the host's triggers alike.
        await stack.SetStorageFaultsAsync(new
        {
            reset = true,
            seed = random.Next(),
            error_rate = faults.Contains(SoakFault.StorageErrors) ? options.StorageErrorRate : 0,
        }, cancellationToken);
        await RequestRunAsync(_exportId, cancellationToken);
        if (faults.Contains(SoakFault.KillWorker) && (await stack.WorkerAsync(cancellationToken)).Pid is { } worker)
        {
            await Task.Delay(random.Next(200, 2000), cancellationToken);
            SoakStack.Signal(worker, "KILL");
        }
        if (faults.Contains(SoakFault.StorageStall) && stack.StoragePid is { } storage)
        {
            await Task.Delay(random.Next(200, 1500), cancellationToken);
            SoakStack.Signal(storage, "STOP");
            try { await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken); }
            finally { SoakStack.Signal(storage, "CONT"); }
        }
        var problems = new List<string>();
        var exported = await WaitForExportAsync(problems, cancellationToken);
        if (problems.Count > 0) return problems;

        // 3. Between export and import: the table moves on.
        var exportedIds = exported.SelectMany(f => f.Csv.Records.Select(r => long.Parse(r[f.Csv.Column("id")], CultureInfo.InvariantCulture))).ToList();
        if (faults.Contains(SoakFault.EditRow) && exportedIds.Count > 0)
        {
            var id = exportedIds[random.Next(exportedIds.Count)];
            var text = $"{_ledger.TextOf(id)} edited in cycle {cycle}";
            await SqlAsync($"UPDATE {_table} SET text = '{text}' WHERE id = {id}", cancellationToken);
            _ledger.Edited(id, text);
            exportedIds.Remove(id);
        }
        if (faults.Contains(SoakFault.DeleteRow) && exportedIds.Count > 0)
        {
            var id = exportedIds[random.Next(exportedIds.Count)];
            await SqlAsync($"DELETE FROM {_table} WHERE id = {id}", cancellationToken);
            _ledger.Deleted(id);
        }

        // 4. The labeler labels each new export (and re-drops any it had dropped without the marker), 5. the import.
        var toLabel = exported.Concat(_relabel).ToList();
        _relabel.Clear();
        var first = true;
        foreach (var (name, csv) in toLabel)
        {
            var dropMarker = first && faults.Contains(SoakFault.DropMarker);
            var overwrite = first && faults.Contains(SoakFault.OverwriteLabeled);
            first = false;
            var labeledName = $"{_importId}/{Path.GetFileNameWithoutExtension(name)}.c{cycle}.labeled.csv";
            var final = Labeled(csv, "", dropMarker);
            var offered = final.Labels.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)new HashSet<string> { kv.Value });
            if (overwrite)
            {
                var draft = Labeled(csv, "-draft", dropMarker);
                await UploadAsync(labeledName, draft.Csv, cancellationToken);
                await Task.Delay(random.Next(0, 1500), cancellationToken);
                _ledger.Overwritten(labeledName, draft.Labels, final.Labels, TextsOf(csv));
                offered = final.Labels.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)new HashSet<string> { kv.Value, draft.Labels[kv.Key] });
            }
            await UploadAsync(labeledName, final.Csv, cancellationToken);
            var outcome = await WaitForImportAsync(labeledName, cancellationToken);
            if (outcome == "failed")
            {
                if (dropMarker) _relabel.Add((name, csv));
                else problems.Add($"the valid labeled file {labeledName} is in failed/: {await ErrorsAsync(labeledName, cancellationToken)}");
                continue;
            }
            var texts = TextsOf(csv);
            _ledger.Imported(offered.ToDictionary(kv => kv.Key, kv => (texts[kv.Key], kv.Value)));
        }

        // 6. The exactness check.
        await stack.SetEmulatorFaultsAsync(new { reset = true }, cancellationToken);
        await stack.SetStorageFaultsAsync(new { reset = true }, cancellationToken);
        problems.AddRange(_ledger.Check(await ReadTableAsync(cancellationToken)));
        return problems;
    }

    private async Task<List<string>> FinalExportAsync(CancellationToken cancellationToken)
    {
        if (_ledger.AwaitingExport.Count == 0) return [];
        await RequestRunAsync(_exportId, cancellationToken);
        var problems = new List<string>();
        await WaitForExportAsync(problems, cancellationToken);
        return problems;
    }

    /// <summary>New export files until every row awaiting export is in one; each row checked as it is seen.</summary>
    private async Task<List<(string Name, CsvTable Csv)>> WaitForExportAsync(List<string> problems, CancellationToken cancellationToken)
    {
        var files = new List<(string, CsvTable)>();
        var awaiting = _ledger.AwaitingExport.ToHashSet();
        var clock = Stopwatch.StartNew();
        var lastRequest = Stopwatch.StartNew();
        while (awaiting.Count > 0)
        {
            await foreach (var blob in stack.Blobs.ListAsync("exports", _exportId + "/", cancellationToken))
            {
                if (!blob.Name.EndsWith(".csv", StringComparison.Ordinal) || !_seenExports.Add(blob.Name)) continue;
                CsvTable csv;
                await using (var stream = await stack.Blobs.OpenReadAsync("exports", blob.Name, cancellationToken)) csv = CsvTable.Read(stream);
                int id = csv.Column("id"), text = csv.Column("text");
                foreach (var record in csv.Records)
                {
                    var rowId = long.Parse(record[id], CultureInfo.InvariantCulture);
                    if (_ledger.Exported(rowId, record[text], blob.Name) is { } problem) problems.Add(problem);
                    awaiting.Remove(rowId);
                }
                files.Add((blob.Name, csv));
            }
            if (awaiting.Count == 0) break;
            if (clock.Elapsed > options.StepTimeout)
            {
                problems.Add($"after {options.StepTimeout.TotalSeconds:F0} s {awaiting.Count} rows were still not exported: {string.Join(", ", awaiting.Order().Take(20))}");
                break;
            }
            // A run that ended early (a fault, a lost lease) leaves the config due; the timer would run it again, so do we.
            if (lastRequest.Elapsed > TimeSpan.FromSeconds(20))
            {
                await RequestRunAsync(_exportId, cancellationToken);
                _rerunsRequested++;
                lastRequest.Restart();
            }
            await Task.Delay(500, cancellationToken);
        }
        return files;
    }

    private static Dictionary<long, string> TextsOf(CsvTable export) =>
        export.Records.ToDictionary(r => long.Parse(r[export.Column("id")], CultureInfo.InvariantCulture), r => r[export.Column("text")]);

    private static (byte[] Csv, Dictionary<long, string> Labels) Labeled(CsvTable export, string suffix, bool dropMarker)
    {
        int id = export.Column("id"), text = export.Column("text"), label = export.Column("label");
        var labels = new Dictionary<long, string>();
        var records = new List<string[]>();
        foreach (var source in export.Records)
        {
            var record = (string[])source.Clone();
            record[label] = DemoLabeler.LabelFor(record[text]) + suffix;
            labels[long.Parse(record[id], CultureInfo.InvariantCulture)] = record[label];
            records.Add(record);
        }
        var csv = new CsvTable(export.Header, records);
        if (dropMarker && Array.IndexOf(export.Header, Marker) is >= 0 and var marker)
            csv = new CsvTable(export.Header.Where((_, i) => i != marker).ToArray(), records.Select(r => r.Where((_, i) => i != marker).ToArray()).ToList());
        return (csv.ToBytes(), labels);
    }

    private async Task<string> WaitForImportAsync(string name, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.StepTimeout)
        {
            // Done once the trigger has moved the drop away, and it landed in processed/ or failed/.
            if (await stack.Blobs.GetPropertiesAsync("labeled", name, cancellationToken) is null)
            {
                if (await stack.Blobs.GetPropertiesAsync("processed", name, cancellationToken) is not null) return "processed";
                if (await stack.Blobs.GetPropertiesAsync("failed", name, cancellationToken) is not null) return "failed";
            }
            await Task.Delay(500, cancellationToken);
        }
        throw new TimeoutException($"labeled/{name} was not imported within {options.StepTimeout.TotalSeconds:F0} s");
    }

    private async Task<string> ErrorsAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var report in new[] { name + ".errors.json", name + ".errors.csv" })
        {
            if (await stack.Blobs.GetPropertiesAsync("failed", report, cancellationToken) is null) continue;
            await using var stream = await stack.Blobs.OpenReadAsync("failed", report, cancellationToken);
            var text = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
            return text.Length > 400 ? text[..400] : text;
        }
        return "(no error report)";
    }

    private async Task RequestRunAsync(string configId, CancellationToken cancellationToken)
    {
        try
        {
            await stack.Api.PostAsync($"api/databricks/sync-configs/{configId}/run", new { }, cancellationToken);
        }
        catch (ApiException exception) when (exception.Status == 409)
        {
            // One is queued or running already.
        }
    }

    private Task UploadAsync(string name, byte[] content, CancellationToken cancellationToken) =>
        stack.Blobs.UploadAsync("labeled", name, new MemoryStream(content), new BlobWriteOptions { ContentType = "text/csv" }, cancellationToken);

    private async Task<List<(long, string?, string?)>> ReadTableAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(long, string?, string?)>();
        var result = await stack.Workspace.ExecuteAsync($"SELECT id, text, label FROM {_table}", null, new StatementOptions { WarehouseId = stack.WarehouseId }, cancellationToken);
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
            rows.Add((long.Parse(row[0]!, CultureInfo.InvariantCulture), row[1], row[2]));
        return rows;
    }

    private async Task SqlAsync(string statement, CancellationToken cancellationToken)
    {
        var result = await stack.Workspace.ExecuteAsync(statement, null, new StatementOptions { WarehouseId = stack.WarehouseId }, cancellationToken);
        await foreach (var _ in result.ReadRowsAsync(cancellationToken)) { }
    }
}
