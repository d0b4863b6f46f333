using DbxSync.Cli;
using Xunit;

namespace DbxSync.Functions.Tests;

public sealed class SoakScheduleTests
{
    private static IEnumerable<SoakFault> Run(int seed, int cycles, double chance) =>
        Enumerable.Range(1, cycles).SelectMany(c => SoakSchedule.FaultsOf(seed, c, cycles, SoakFaults.All, chance));

    [Fact]
    public void Every_kind_strikes_thirty_of_a_hundred_cycles_whatever_the_seed()
    {
        foreach (var seed in new[] { 1, 2, 3, 7, 8, 123_456, 999_999 })
        {
            var counts = Run(seed, 100, 0.3).GroupBy(f => f).ToDictionary(g => g.Key, g => g.Count());
            foreach (var kind in SoakFaults.All)
                Assert.True(counts.GetValueOrDefault(kind) == 30, $"seed {seed}: {kind} struck {counts.GetValueOrDefault(kind)} cycles");
        }
    }

    [Fact]
    public void A_seed_replays_the_same_faults_and_neighbouring_seeds_differ()
    {
        Assert.Equal(Run(7, 100, 0.3), Run(7, 100, 0.3));
        Assert.NotEqual(Run(7, 100, 0.3), Run(8, 100, 0.3));
        Assert.Equal(SoakSchedule.CycleRandom(3, 13).Next(), SoakSchedule.CycleRandom(3, 13).Next());
    }

    [Fact]
    public void Kinds_do_not_strike_the_same_cycles_in_lockstep()
    {
        // Generators seeded with neighbouring numbers once made kinds move together; mixed seeds keep them apart.
        var cycles = SoakFaults.All.Select(kind => Enumerable.Range(1, 100)
            .Where(c => SoakSchedule.FaultsOf(5, c, 100, SoakFaults.All, 0.3).Contains(kind)).ToArray()).ToList();
        Assert.Equal(cycles.Count, cycles.Select(c => string.Join(",", c)).Distinct().Count());
    }
}
