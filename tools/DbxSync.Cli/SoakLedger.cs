namespace DbxSync.Cli;

/// <summary>
/// What the soak expects of the table and the exports, kept beside the real run: every row's content, whether it
/// still has to be exported (new, or changed since its last export), and which labels may land on it. The exactness
/// check compares the table with it after each cycle.
/// </summary>
public sealed class SoakLedger
{
    private sealed class Row(string text)
    {
        public string Text { get; set; } = text;
        public bool AwaitingExport { get; set; } = true;
        /// <summary>The labels one of which it must carry; null while it must stay unlabeled.</summary>
        public IReadOnlySet<string>? Labels { get; set; }
    }

    private readonly Dictionary<long, Row> _rows = new();
    private readonly HashSet<long> _deleted = new();
    private readonly List<(string File, Dictionary<long, string> First, Dictionary<long, string> Second, IReadOnlyDictionary<long, string> Texts)> _overwritten = new();

    public int Count => _rows.Count;
    public int Labeled => _rows.Values.Count(r => r.Labels is not null);
    public IReadOnlyCollection<long> AwaitingExport => _rows.Where(r => r.Value.AwaitingExport).Select(r => r.Key).ToList();
    public string TextOf(long id) => _rows[id].Text;

    public void Inserted(long id, string text) => _rows[id] = new Row(text);

    /// <summary>A row seen in an export file; returns what is wrong with it, or null.</summary>
    public string? Exported(long id, string text, string file)
    {
        if (_deleted.Contains(id)) return $"deleted row {id} was exported ({file})";
        if (!_rows.TryGetValue(id, out var row)) return $"unknown row {id} was exported ({file})";
        if (row.Text != text) return $"row {id} was exported with content '{text}', the table has '{row.Text}' ({file})";
        if (!row.AwaitingExport) return $"row {id} was exported again though unchanged since its last export ({file})";
        if (row.Labels is not null) return $"labeled row {id} was exported ({file})";
        row.AwaitingExport = false;
        return null;
    }

    /// <summary>Changed in the table after its export: its label must not land, and it must go out again.</summary>
    public void Edited(long id, string text)
    {
        var row = _rows[id];
        row.Text = text;
        row.AwaitingExport = true;
        row.Labels = null;
    }

    public void Deleted(long id)
    {
        _rows.Remove(id);
        _deleted.Add(id);
    }

    /// <summary>
    /// A labeled file was imported: each row still as it was exported (same content) must now carry one of the labels
    /// offered for it; a row changed or deleted since stays as it is.
    /// </summary>
    public void Imported(IReadOnlyDictionary<long, (string ExportedText, IReadOnlySet<string> Labels)> rows)
    {
        foreach (var (id, (text, labels)) in rows)
            if (_rows.TryGetValue(id, out var row) && row.Text == text && !row.AwaitingExport)
                row.Labels = labels;
    }

    /// <summary>A labeled file overwritten mid-import: its rows must all carry the first version's labels or all the second's.</summary>
    public void Overwritten(string file, Dictionary<long, string> first, Dictionary<long, string> second, IReadOnlyDictionary<long, string> exportedTexts) =>
        _overwritten.Add((file, first, second, exportedTexts));

    /// <summary>Compares the table (id, text, label) with the ledger; returns every discrepancy.</summary>
    public List<string> Check(IReadOnlyList<(long Id, string? Text, string? Label)> table)
    {
        var problems = new List<string>();
        foreach (var group in table.GroupBy(r => r.Id).Where(g => g.Count() > 1))
            problems.Add($"row {group.Key} is in the table {group.Count()} times");
        var present = table.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First());
        foreach (var id in present.Keys)
        {
            if (_deleted.Contains(id)) problems.Add($"deleted row {id} is back");
            else if (!_rows.ContainsKey(id)) problems.Add($"row {id} is in the table but was never inserted");
        }
        foreach (var (id, row) in _rows)
        {
            if (!present.TryGetValue(id, out var actual)) { problems.Add($"row {id} is lost"); continue; }
            if (actual.Text != row.Text) problems.Add($"row {id} has text '{actual.Text}', expected '{row.Text}'");
            if (row.Labels is null && actual.Label is not null)
                problems.Add($"row {id} is labeled '{actual.Label}' but must be unlabeled ({(row.AwaitingExport ? "changed since its export" : "its labels have not been imported")})");
            else if (row.Labels is not null && (actual.Label is null || !row.Labels.Contains(actual.Label)))
                problems.Add($"row {id} is labeled '{actual.Label ?? "NULL"}', expected {string.Join(" or ", row.Labels.Select(l => $"'{l}'"))}");
        }
        foreach (var (file, first, second, texts) in _overwritten)
        {
            // Only rows still as the file saw them: a row changed since may have been labeled by a later file.
            bool Unchanged(long id) => _rows.TryGetValue(id, out var row) && row.Text == texts[id];
            var fromFirst = first.Count(kv => Unchanged(kv.Key) && present.TryGetValue(kv.Key, out var p) && p.Label == kv.Value);
            var fromSecond = second.Count(kv => Unchanged(kv.Key) && present.TryGetValue(kv.Key, out var p) && p.Label == kv.Value);
            if (fromFirst > 0 && fromSecond > 0)
                problems.Add($"{file} was overwritten mid-import and its rows carry labels of both versions ({fromFirst} and {fromSecond})");
        }
        return problems;
    }
}
