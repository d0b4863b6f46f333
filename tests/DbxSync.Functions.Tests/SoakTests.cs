using DbxSync.Cli;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// Its faults (emulator throttling, a killed worker) hit everything sharing the emulator and the host, so the soak
/// runs alone, after the parallel collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "soak";
}

[Collection(SoakCollection.Name)]
public sealed class SoakTests(ApiFixture fixture)
{
    /// <summary>
    /// The fault kinds that pass on main today. Left out: drop-marker, which fails on main (a labeled file without
    /// the marker column brings a deleted row back: feat/marker's "files without marker"), and storage-stall, which
    /// freezes the storage process (the suite's Azurite may serve other test runs). `./dbxsync soak` runs them all.
    /// </summary>
    public static readonly IReadOnlyList<SoakFault> SuiteFaults =
    [
        SoakFault.Throttle, SoakFault.Unavailable, SoakFault.SlowStatements, SoakFault.KillWorker,
        SoakFault.OverwriteLabeled, SoakFault.EditRow, SoakFault.DeleteRow,
    ];

    [Fact]
    public async Task Five_cycles_under_seeded_faults_leave_every_row_labeled_exactly()
    {
        using var api = new ApiClient(fixture.BaseAddress, ApiFixture.AdminToken);
        var stack = new SoakStack
        {
            Api = api,
            AppUrl = fixture.BaseAddress,
            Workspace = fixture.Workspace,
            Blobs = fixture.Blobs,
            WorkspaceUrl = fixture.WorkspaceUrl,
            ClientId = fixture.ClientId,
            ClientSecret = fixture.ClientSecret,
            WarehouseId = fixture.Emulator.WarehouseId,
            EmulatorUrl = new Uri(fixture.WorkspaceUrl),
        };
        var output = new StringWriter();
        // A higher fault chance than the CLI's, so that five cycles meet every kind (seed 1 draws each at least once).
        var options = new SoakOptions { Cycles = 5, Seed = 1, Faults = SuiteFaults, FaultChance = 0.5, MaxRows = 15 };
        var drawn = Enumerable.Range(1, options.Cycles).SelectMany(c => SoakRunner.Draw(SoakRunner.CycleRandom(options.Seed, c), SuiteFaults, options.FaultChance));
        Assert.Equal(SuiteFaults.Order(), drawn.Distinct().Order());

        var result = await new SoakRunner(stack, options, output).RunAsync(CancellationToken.None);

        Assert.True(result.Passed, output.ToString());
        Assert.Contains("checks: every cycle exact", output.ToString());
    }
}
