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
    /// Every kind but the two that act on the storage process: storage-stall freezes it (the suite's Azurite may
    /// serve other test runs) and storage-errors needs the app's storage behind the fault proxy
    /// (StorageFaultProxyTests covers the proxy and the SDKs' retries). `./dbxsync soak` runs them all.
    /// </summary>
    public static readonly IReadOnlyList<SoakFault> SuiteFaults =
    [
        SoakFault.Throttle, SoakFault.Unavailable, SoakFault.SlowStatements, SoakFault.KillWorker,
        SoakFault.OverwriteLabeled, SoakFault.EditRow, SoakFault.DeleteRow, SoakFault.DropMarker,
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
        // A higher fault share than the CLI's 0.3: each kind strikes two or three of the five cycles.
        var options = new SoakOptions { Cycles = 5, Seed = 1, Faults = SuiteFaults, FaultChance = 0.5, MaxRows = 15 };
        var drawn = Enumerable.Range(1, options.Cycles).SelectMany(c => SoakSchedule.FaultsOf(options.Seed, c, options.Cycles, SuiteFaults, options.FaultChance));
        Assert.Equal(SuiteFaults.Order(), drawn.Distinct().Order());

        var result = await new SoakRunner(stack, options, output).RunAsync(CancellationToken.None);

        Assert.True(result.Passed, output.ToString());
        Assert.Contains("checks: every cycle exact", output.ToString());
    }
}
