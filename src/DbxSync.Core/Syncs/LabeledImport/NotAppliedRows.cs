namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// The labeled rows a guarded MERGE left alone, counted by reason, with the first keys kept (bounded, so a file of
/// millions of stale rows costs the same memory as one).
/// </summary>
public sealed class NotAppliedRows
{
    public const int MaxListedKeys = 1000;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Reason)> _listed = [];

    public long Total { get; private set; }
    public IReadOnlyDictionary<string, long> Counts => _counts;
    public IReadOnlyList<(string Key, string Reason)> Listed => _listed;

    public void Add(string key, string reason)
    {
        Total++;
        _counts[reason] = _counts.GetValueOrDefault(reason) + 1;
        if (_listed.Count < MaxListedKeys) _listed.Add((key, reason));
    }

    public long Count(string reason) => _counts.GetValueOrDefault(reason);

    public string DescribeCounts() => string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));
}
