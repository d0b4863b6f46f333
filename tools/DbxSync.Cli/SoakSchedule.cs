namespace DbxSync.Cli;

/// <summary>
/// Which faults each cycle meets, from the seed alone. Each kind comes in an even share: in every block of
/// <see cref="BlockCycles"/> cycles it strikes round(chance x block) cycles, picked by a shuffle of its own, so a
/// 100-cycle run meets every kind about as often whatever the seed. Independent draws per cycle did not: generators
/// seeded with neighbouring numbers (seed x k + cycle) start with correlated values, and a 100-cycle run met one kind
/// once and another thirty times. Every generator here is seeded through a mixing hash instead.
/// </summary>
public static class SoakSchedule
{
    public const int BlockCycles = 10;

    /// <summary>The faults of <paramref name="cycle"/> (1-based) in a run of <paramref name="cycles"/>.</summary>
    public static IReadOnlyList<SoakFault> FaultsOf(int seed, int cycle, int cycles, IReadOnlyList<SoakFault> allowed, double chance)
    {
        // A run shorter than a block is one block of its own length, so a short round still meets every kind.
        var block = Math.Min(BlockCycles, cycles);
        var index = (cycle - 1) / block;
        var position = (cycle - 1) % block;
        var strikes = (int)Math.Round(chance * block, MidpointRounding.AwayFromZero);
        return allowed.Where(kind =>
        {
            var order = Enumerable.Range(0, block).ToArray();
            new Random(Mix(seed, (int)kind + 1, index)).Shuffle(order);
            return Array.IndexOf(order, position) < strikes;
        }).ToList();
    }

    /// <summary>The generator of one cycle's other draws (rows, delays, which row is edited): the same in every process.</summary>
    public static Random CycleRandom(int seed, int cycle) => new(Mix(seed, 0, cycle));

    /// <summary>SplitMix64's finalizer over the three numbers: neighbouring inputs give unrelated seeds.</summary>
    public static int Mix(int a, int b, int c)
    {
        var z = unchecked(((ulong)(uint)a << 32 | (uint)b) ^ ((ulong)(uint)c * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
