using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class SyncRunApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/sync-configs";

    [Fact]
    public async Task Run_now_answers_202_with_the_location_of_the_queued_run_which_then_finishes()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        var response = await Admin.PostAsync($"{Route}/{id}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await ReadJsonAsync(response);
        Assert.Equal(id, queued.GetProperty("config_id").GetString());
        Assert.Equal("manual", queued.GetProperty("trigger").GetString());
        Assert.Equal("queued", queued.GetProperty("outcome").GetString());
        var runId = queued.GetProperty("run_id").GetString();
        Assert.Equal($"{Route}/{id}/runs/{runId}", response.Headers.Location?.OriginalString);

        var run = await WaitForRunAsync(response.Headers.Location!.OriginalString);
        Assert.Equal(runId, run.GetProperty("run_id").GetString());
        Assert.Equal("manual", run.GetProperty("trigger").GetString());
        Assert.NotEqual("running", run.GetProperty("outcome").GetString());
        Assert.Contains(run.GetProperty("outcome").GetString(), new[] { "succeeded", "no_change" });
        foreach (var name in new[] { "run_id", "started_at", "finished_at", "duration_ms", "from_version", "to_version", "rows", "files", "bytes", "updated_rows", "inserted_rows", "subject", "output", "message", "error", "progress" })
            Assert.True(run.TryGetProperty(name, out _), name);
    }

    [Fact]
    public async Task A_run_keeps_its_progress_phase_and_counts_on_the_run_record()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        var response = await Admin.PostAsync($"{Route}/{id}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await WaitForRunAsync(response.Headers.Location!.OriginalString);

        // The first run exports the table's unlabeled rows; its last progress report stays on the record.
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        var progress = run.GetProperty("progress");
        Assert.Equal("export", progress.GetProperty("stage").GetString());
        Assert.Equal("rows", progress.GetProperty("unit").GetString());
        Assert.Equal(run.GetProperty("rows").GetInt64(), progress.GetProperty("done").GetInt64());
        Assert.True(progress.GetProperty("done").GetInt64() > 0);
    }

    [Fact]
    public async Task Run_while_another_holds_the_lock_is_409()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        await using (await Fixture.HoldRunLockAsync(id))
        {
            await AssertProblemAsync(await Admin.PostAsync($"{Route}/{id}/run", null), HttpStatusCode.Conflict, "run-in-progress");
            await AssertProblemAsync(await Admin.PostAsync($"{Route}/{id}/run?progress=true", null), HttpStatusCode.Conflict, "run-in-progress");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.PostAsync($"{Route}/{id}/run", null)).StatusCode);
    }

    [Fact]
    public async Task Run_now_refused_by_auth_or_an_unknown_config_answers_the_problem_and_queues_nothing()
    {
        // The function returns its response and its sync-runs message together; a refused request must carry no message.
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        await AssertProblemAsync(await Fixture.Reader.PostAsync($"{Route}/{id}/run", null), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await Fixture.Anonymous.PostAsync($"{Route}/{id}/run", null), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await Admin.PostAsync($"{Route}/{Guid.NewGuid()}/run", null), HttpStatusCode.NotFound, "sync-config-not-found");

        // Past host.json's 2 s maxPollingInterval: a message written anyway would have been run and recorded by now.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var runs = await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}/runs"));
        Assert.Equal(0, runs.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_with_paging()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        var runIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // A run already picked up holds the config's lock, and another request meanwhile is refused (409): asked again.
            var response = await Admin.PostAsync($"{Route}/{id}/run", null);
            for (var wait = 0; response.StatusCode == HttpStatusCode.Conflict && wait < 100; wait++)
            {
                await Task.Delay(100);
                response = await Admin.PostAsync($"{Route}/{id}/run", null);
            }
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            runIds.Add((await ReadJsonAsync(response)).GetProperty("run_id").GetString()!);
            await Task.Delay(2);
        }

        var seen = new List<string>();
        string? continuation = null;
        do
        {
            var url = $"{Route}/{id}/runs?page_size=2" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation));
            var page = await ReadJsonAsync(await Admin.GetAsync(url));
            // Other test assemblies share the storage and their timer ticks may run this config too: skip timer runs.
            seen.AddRange(page.GetProperty("items").EnumerateArray().Where(r => r.GetProperty("trigger").GetString() != "timer").Select(r => r.GetProperty("run_id").GetString()!));
            continuation = page.GetProperty("continuation").ValueKind == JsonValueKind.String ? page.GetProperty("continuation").GetString() : null;
        } while (continuation is not null);

        Assert.Equal(Enumerable.Reverse(runIds), seen);
    }

    [Theory]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=101", "page_size")]
    [InlineData("page_size=abc", "page_size")]
    [InlineData("continuation=%25%25%25", "continuation")]
    public async Task Bad_paging_parameters_are_400(string query, string field)
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}/runs?{query}"), HttpStatusCode.BadRequest, "validation-error", field);
    }

    [Fact]
    public async Task Unknown_run_is_404()
    {
        var id = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync())));
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}/runs/0000000000000000000-deadbeef"), HttpStatusCode.NotFound, "run-not-found");
        await AssertProblemAsync(await Admin.GetAsync($"{Route}/{id}/runs/x%23y"), HttpStatusCode.NotFound, "run-not-found");
    }

}
