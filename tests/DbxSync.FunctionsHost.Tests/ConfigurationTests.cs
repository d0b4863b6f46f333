using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Triggers;

namespace DbxSync.FunctionsHost.Tests;

/// <summary>The host's readers of host.json, local.settings.json and blob paths, on their own.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fxhost-config").FullName;

    [Fact]
    public void HostJson_reads_routePrefix_and_queue_and_blob_settings()
    {
        File.WriteAllText(Path.Combine(_directory, "host.json"), """
            { "version": "2.0", // comments are allowed, as the real host allows them
              "extensions": { "http": { "routePrefix": "/v1/" },
                              "queues": { "batchSize": 4, "visibilityTimeout": "00:00:30", "maxDequeueCount": 2, "messageEncoding": "none" },
                              "blobs": { "poisonBlobThreshold": 3 } } }
            """);
        var hostJson = HostJson.Load(_directory);
        Assert.Equal("v1", hostJson.RoutePrefix);
        Assert.Equal(4, hostJson.Queues.BatchSize);
        Assert.Equal(2, hostJson.Queues.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), hostJson.Queues.VisibilityTimeout);
        Assert.Equal(2, hostJson.Queues.MaxDequeueCount);
        Assert.False(hostJson.Queues.Base64);
        Assert.Equal(3, hostJson.PoisonBlobThreshold);
    }

    [Fact]
    public void HostJson_defaults_are_the_extensions_defaults()
    {
        var hostJson = HostJson.Load(_directory);
        Assert.Equal("api", hostJson.RoutePrefix);
        Assert.Equal((16, 8, 5, true), (hostJson.Queues.BatchSize, hostJson.Queues.NewBatchThreshold, hostJson.Queues.MaxDequeueCount, hostJson.Queues.Base64));
        Assert.Equal(TimeSpan.FromMinutes(1), hostJson.Queues.MaxPollingInterval);
        Assert.Equal(5, hostJson.PoisonBlobThreshold);
    }

    [Fact]
    public void Settings_file_values_apply_unless_the_environment_sets_them_and_percent_tokens_resolve()
    {
        var fromEnvironment = "FXHOST_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(fromEnvironment, "env-wins");
        try
        {
            var file = Path.Combine(_directory, "local.settings.json");
            File.WriteAllText(file, $$"""{ "IsEncrypted": false, "Values": { "{{fromEnvironment}}": "file", "OnlyInFile": "q-{{fromEnvironment.Length}}", "MyStorage": "UseDevelopmentStorage=true" } }""");
            var settings = new AppSettings(file);
            Assert.Equal("env-wins", settings[fromEnvironment]);
            Assert.Equal($"orders-q-{fromEnvironment.Length}", settings.Resolve("orders-%OnlyInFile%"));
            Assert.Equal("UseDevelopmentStorage=true", settings.StorageConnection("MyStorage"));
            Assert.Throws<InvalidOperationException>(() => settings.Resolve("%NotSetAnywhere%"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(fromEnvironment, null);
        }
    }

    [Theory]
    [InlineData("labeled/{name}", "labeled", "", "cfg1/file.csv", "name=cfg1/file.csv")]
    [InlineData("in/{config}/{file}.csv", "in", "", "c7/rows.csv", "config=c7;file=rows")]
    [InlineData("volumes/archive/{name}", "volumes", "archive/", "archive/a/b.bin", "name=a/b.bin")]
    public void Blob_paths_give_the_container_the_prefix_to_list_and_the_tokens(string path, string container, string prefix, string blob, string tokens)
    {
        var pattern = new BlobPathPattern(path);
        Assert.Equal(container, pattern.Container);
        Assert.Equal(prefix, pattern.Prefix);
        Assert.Equal(tokens, string.Join(";", pattern.Match(blob)!.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")));
    }

    [Fact]
    public void A_blob_outside_the_pattern_does_not_match()
    {
        Assert.Null(new BlobPathPattern("in/{config}/{file}.csv").Match("c7/rows.txt"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
