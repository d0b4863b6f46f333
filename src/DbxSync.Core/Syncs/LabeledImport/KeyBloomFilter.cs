namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// Fixed-size set membership for primary keys: memory stays flat however many rows a file has. A key that may have
/// been seen before is a candidate; candidates are confirmed exactly in a second pass.
/// </summary>
public sealed class KeyBloomFilter(int bits = 1 << 27)
{
    private const int Hashes = 4;
    private readonly ulong[] _words = new ulong[bits / 64];
    private readonly int _mask = bits - 1;

    /// <summary>Adds the key; returns true when every bit was already set (a possible duplicate).</summary>
    public bool AddAndCheck(string key)
    {
        var h1 = Fnv1a64(key);
        var h2 = SplitMix64(h1) | 1;
        var seen = true;
        for (int i = 0; i < Hashes; i++)
        {
            var bit = (int)((h1 + (ulong)i * h2) & (ulong)_mask);
            ref var word = ref _words[bit >> 6];
            var flag = 1UL << (bit & 63);
            if ((word & flag) == 0) { seen = false; word |= flag; }
        }
        return seen;
    }

    // System.IO.Hashing does not restore here; FNV-1a spread by a SplitMix64 finaliser is enough for a filter.
    private static ulong Fnv1a64(string key)
    {
        var h = 14695981039346656037UL;
        foreach (var c in key) { h ^= c; h *= 1099511628211UL; }
        return SplitMix64(h);
    }

    private static ulong SplitMix64(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
