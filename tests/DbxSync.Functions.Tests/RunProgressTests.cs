using System.Net;
using System.Text.Json;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace DbxSync.Functions.Tests;

/// <summary>
/// Issue 24, "progress that moves": an export of 200k rows, its result stream slowed by the emulator's chunk delay so
/// the run lasts a few seconds, followed through the real API (worker under the local host) as ./dbxsync run does.
/// The run record's progress must move while it runs: several distinct counts, bytes growing, the total known.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RunProgressTests(ApiFixture fixture, ITestOutputHelper output) : ApiTestBase(fixture)
{
    private const string Configs = "/api/databricks/sync-configs";
    private const int Rows = 200_000;
    // 20 result chunks of 10k rows, served one per this interval: the rows flow for about 5 s.
    private static readonly TimeSpan ChunkDelay = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_200k_row_export_shows_progress_that_moves_while_it_runs()
    {
        var name = $"progress_{Guid.NewGuid():N}"[..26];
        var table = $"main.default.{name}";
        await Fixture.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, label STRING)", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} SELECT id, concat('some text of row ', id), CAST(NULL AS STRING) FROM range(1, {Rows + 1})", write: true);
        var principal = Id(await RegisterPrincipalAsync("progress"));
        var created = await Admin.PostAsync(Configs, Json(new
        {
            name = "progress", config_type = "table", databricks_path = table, service_principal_id = principal, pk_column = "id", label_column = "label",
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var config = Id(await ReadJsonAsync(created));

        var faults = Fixture.Emulator.Handle!.Faults;
        // The export's statements name the table quoted (`main`.`default`.`progress_…`): match its bare name.
        faults.SlowStatementMatch = name;
        faults.ChunkDelay = ChunkDelay;
        var seen = new List<JsonElement>();
        JsonElement run;
        try
        {
            var response = await Admin.PostAsync($"{Configs}/{config}/run", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var location = response.Headers.Location!.OriginalString;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                run = await ReadJsonAsync(await Admin.GetAsync(location));
                if (run.GetProperty("outcome").GetString() is not ("queued" or "running")) break;
                if (run.GetProperty("progress").ValueKind == JsonValueKind.Object) seen.Add(run.GetProperty("progress"));
                Assert.True(DateTime.UtcNow < deadline, "the export did not finish within 90 s");
                await Task.Delay(250);
            }
        }
        finally
        {
            faults.ChunkDelay = TimeSpan.Zero;
            faults.SlowStatementMatch = null;
        }

        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(Rows, run.GetProperty("rows").GetInt64());
        var exporting = seen.Where(p => p.GetProperty("stage").GetString() == "export").ToList();
        var counts = exporting.Select(p => p.GetProperty("done").GetInt64()).Where(d => d > 0).Distinct().ToList();
        output.WriteLine($"{seen.Count} polls while running; rows seen: {string.Join(", ", counts)}");
        Assert.True(counts.Count >= 3, $"expected at least 3 distinct row counts while running, saw {counts.Count}: {string.Join(", ", counts)}");
        var changes = seen.Select(p => p.GetProperty("updated_at").GetDateTimeOffset()).Distinct().Order().ToList();
        var gaps = changes.Zip(changes.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        output.WriteLine($"record updated {changes.Count} times, every {string.Join(", ", gaps.Select(g => $"{g:0}"))} ms");
        Assert.All(counts, c => Assert.True(c <= Rows, "a count never passes the total"));
        // The page's result says how many rows there are: the total is known, and bytes grow with the rows.
        Assert.All(exporting, p => Assert.Equal(Rows, p.GetProperty("total").GetInt64()));
        Assert.All(exporting, p => Assert.Equal("rows", p.GetProperty("unit").GetString()));
        var bytes = exporting.Select(p => p.GetProperty("bytes").GetInt64()).ToList();
        Assert.Equal(bytes.Order(), bytes);
        Assert.True(bytes.Distinct().Count() >= 3, $"bytes did not grow: {string.Join(", ", bytes.Distinct())}");
        // The finished record keeps the last progress: every row, the exact CSV size.
        var last = run.GetProperty("progress");
        Assert.Equal(Rows, last.GetProperty("done").GetInt64());
        Assert.Equal(run.GetProperty("bytes").GetInt64(), last.GetProperty("bytes").GetInt64());
    }
}
