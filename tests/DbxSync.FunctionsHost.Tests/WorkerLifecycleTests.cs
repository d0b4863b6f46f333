using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.FunctionsHost.Tests;

[Collection(HostCollection.Name)]
public sealed class WorkerLifecycleTests(HostFixture fixture)
{
    [Fact]
    public async Task A_crashed_worker_is_restarted_and_serves_again()
    {
        var before = await fixture.Host.GetStatusAsync();
        Assert.NotNull(before.WorkerProcessId);

        try
        {
            using var crash = await fixture.Http.PostAsync("fx/crash", null);
            Assert.False(crash.IsSuccessStatusCode);
        }
        catch (HttpRequestException)
        {
            // The connection may simply drop with the worker.
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        HostStatus after;
        while (true)
        {
            after = await fixture.Host.GetStatusAsync();
            if (after.State == "Running" && after.WorkerProcessId != before.WorkerProcessId)
                break;
            Assert.True(DateTime.UtcNow < deadline, "no new worker within 60 s");
            await Task.Delay(200);
        }

        Assert.Equal(before.WorkerStarts + 1, after.WorkerStarts);
        Assert.False(Processes.IsAlive(before.WorkerProcessId!.Value));
        var body = await fixture.Http.GetFromJsonAsync<JsonElement>("fx/items/5");
        Assert.Equal(after.WorkerProcessId, body.GetProperty("workerPid").GetInt32());
        Assert.Contains(fixture.Host.Output, line => line.Contains("restarting in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Function_logs_reach_the_host_log_with_function_name_and_invocation_id()
    {
        var body = await fixture.Http.GetFromJsonAsync<JsonElement>("fx/items/11");
        var invocationId = body.GetProperty("invocationId").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!fixture.Host.Output.Any(l => l.Contains("Function.GetItem", StringComparison.Ordinal) && l.Contains(invocationId, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no log line with the function name and invocation id");
            await Task.Delay(100);
        }
    }

    /// <summary>Its own short-lived host (the shared one must live on): a stop leaves neither host nor worker.</summary>
    [Fact]
    public async Task Stopping_the_host_terminates_the_worker_and_leaves_no_process_and_disabled_functions_stay_off()
    {
        var host = await FunctionsHostInstance.StartAsync(HostFixture.AppDirectory, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = fixture.StorageConnection,
            ["AzureFunctionsWebHost__hostid"] = AzuriteInstance.UniqueName("fxstop"),
            ["FIXTURE_QUEUE"] = AzuriteInstance.UniqueName("fxstopq"),
            ["FIXTURE_NOOP_QUEUE"] = AzuriteInstance.UniqueName("fxstopn"),
            ["FIXTURE_HOLD_QUEUE"] = AzuriteInstance.UniqueName("fxstoph"),
            ["FIXTURE_JOURNAL_QUEUE"] = AzuriteInstance.UniqueName("fxstopj"),
            ["FIXTURE_TIMER_SCHEDULE"] = "0 0 0 1 1 *",
            // Only HTTP here: this host must not take the shared host's blobs (the Linux-friendly form of the setting).
            ["AzureWebJobs_OnBlob_Disabled"] = "true",
            ["AzureWebJobs.Tick.Disabled"] = "true",
            ["AzureWebJobs_Secured_Disabled"] = "true",
        });
        var worker = (await host.GetStatusAsync()).WorkerProcessId!.Value;
        using (var client = new HttpClient { BaseAddress = host.BaseUrl })
        {
            Assert.Equal("pong", await client.GetStringAsync("fx/Ping"));
            using var disabled = await client.GetAsync("fx/secured");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, disabled.StatusCode);
        }

        Assert.Contains(host.Output, line => line.Contains("OnBlob is disabled", StringComparison.Ordinal));

        // SIGTERM, as a service manager or Ctrl-C (SIGINT takes the same path) stops it.
        using (var kill = Process.Start("kill", ["-TERM", host.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!host.HasExited && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.True(host.HasExited, "the host did not exit within 30 s of SIGTERM");
        Assert.False(Processes.IsAlive(worker));
        Assert.Contains(host.Output, line => line.Contains("WorkerTerminate sent", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, line => line.Contains("did not exit within the grace period", StringComparison.Ordinal));
    }
}
