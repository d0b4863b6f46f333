using DbxSync.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The run limit, the part size and the import row cap from app settings and host.json (no host needed).</summary>
public sealed class RunSettingsTests : IDisposable
{
    private readonly string _hostJson = Path.Combine(Path.GetTempPath(), $"dbxsync-host-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_hostJson);

    private static IConfiguration Settings(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:10:00" }""", "00:09:00")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "-1" }""", "00:55:00")]
    [InlineData("""{ "version": "2.0" }""", "00:27:00")]
    public void The_limit_follows_host_json_function_timeout(string hostJson, string expected)
    {
        File.WriteAllText(_hostJson, hostJson);
        Assert.Equal(TimeSpan.Parse(expected), RunSettings.RunTimeLimit(Settings(), _hostJson));
    }

    [Fact]
    public void The_shipped_host_json_gives_27_minutes_and_a_setting_can_lower_it()
    {
        var shipped = DbxSync.Testing.RepoPaths.Combine("host.json");
        Assert.Equal(TimeSpan.FromMinutes(27), RunSettings.RunTimeLimit(Settings(), shipped));
        Assert.Equal(TimeSpan.FromSeconds(90), RunSettings.RunTimeLimit(Settings((SettingNames.RunTimeLimit, "00:01:30")), shipped));
        Assert.Throws<InvalidOperationException>(() => RunSettings.RunTimeLimit(Settings((SettingNames.RunTimeLimit, "soon")), shipped));
    }

    [Theory]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxDequeueCount": 2 } } }""", 2)]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 4 } } }""", 5)]
    [InlineData("""{ "version": "2.0" }""", 5)]
    public void The_queue_deliveries_follow_host_json_max_dequeue_count_with_the_hosts_default_of_5(string hostJson, int expected)
    {
        File.WriteAllText(_hostJson, hostJson);
        Assert.Equal(expected, RunSettings.RunQueueDeliveries(_hostJson).Max);
    }

    [Fact]
    public void The_shipped_host_json_delivers_a_sync_runs_message_3_times()
        => Assert.Equal(3, RunSettings.RunQueueDeliveries(DbxSync.Testing.RepoPaths.Combine("host.json")).Max);

    [Fact]
    public void Part_sizes_are_positive_whole_numbers_with_defaults()
    {
        var defaults = RunSettings.ExportParts(Settings());
        Assert.Equal((1_000_000L, 256L * 1024 * 1024), (defaults.PartRows, defaults.PartBytes));
        Assert.Equal(5000, RunSettings.ExportParts(Settings((SettingNames.ExportPartRows, "5000"))).PartRows);
        Assert.Throws<InvalidOperationException>(() => RunSettings.ExportParts(Settings((SettingNames.ExportPartBytes, "-1"))));
    }

    [Fact]
    public void The_import_row_cap_without_staging_is_a_positive_whole_number_defaulting_to_a_million()
    {
        Assert.Equal(1_000_000, RunSettings.LabeledImports(Settings()).MaxRowsWithoutStaging);
        Assert.Equal(250_000, RunSettings.LabeledImports(Settings((SettingNames.ImportMaxRowsWithoutStaging, "250000"))).MaxRowsWithoutStaging);
        Assert.Throws<InvalidOperationException>(() => RunSettings.LabeledImports(Settings((SettingNames.ImportMaxRowsWithoutStaging, "0"))));
    }
}
