using System.Collections.Concurrent;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// Short-lived cache of secret values, keyed by Key Vault name (case-insensitive like the vault).
/// A generation counter stops a read that started before a set/delete from caching the old value afterwards.
/// Only found values are cached: a missing secret may be created by another instance at any moment.
/// </summary>
internal sealed class SecretValueCache(TimeSpan duration, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private long _generation;

    private bool Enabled => duration > TimeSpan.Zero;

    /// <summary>Take before reading from the vault; pass to <see cref="StoreRead"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string name, out string value)
    {
        value = "";
        if (!Enabled || !_entries.TryGetValue(name, out var entry)) return false;
        if (entry.ExpiresAt <= timeProvider.GetUtcNow())
        {
            _entries.TryRemove(KeyValuePair.Create(name, entry));
            return false;
        }
        value = entry.Value;
        return true;
    }

    /// <summary>Caches a value read from the vault unless a write happened since the read started.</summary>
    public void StoreRead(string name, string value, long generationAtReadStart)
    {
        if (!Enabled) return;
        var entry = new Entry(value, timeProvider.GetUtcNow() + duration);
        _entries[name] = entry;
        // A write that raced with this read bumps the generation; undo so the stale value is not served.
        if (Generation != generationAtReadStart) _entries.TryRemove(KeyValuePair.Create(name, entry));
    }

    /// <summary>After a successful set: the new value is known, so cache it straight away.</summary>
    public void StoreWritten(string name, string value)
    {
        Invalidate(name);
        if (Enabled) _entries[name] = new Entry(value, timeProvider.GetUtcNow() + duration);
    }

    public void Invalidate(string name)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(name, out _);
    }

    private sealed record Entry(string Value, DateTimeOffset ExpiresAt)
    {
        // Records print their members; keep the value out of any accidental ToString.
        public override string ToString() => $"Entry(expires {ExpiresAt:O})";
    }
}
