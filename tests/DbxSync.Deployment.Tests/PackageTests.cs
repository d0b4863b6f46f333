using System.IO.Compression;
using System.Text.Json;
using DbxSync.Deployment.Tests.Support;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// tools/publish.sh's package: the isolated worker's publish output zipped at its root. Packaged here from the
/// test build's output (--no-build), which has the publish layout, so no Release publish runs in the suite.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbxsync-package-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static (int ExitCode, string Output) Publish(params string[] arguments) => Script.Run("tools/publish.sh", arguments);

    private ZipArchive PackageOfTheBuiltApp()
    {
        var zip = Path.Combine(_scratch, "out", "app.zip");
        var (exitCode, output) = Publish("--no-build", "--publish-dir", BuiltApp.Directory, "--output", zip);
        Assert.True(exitCode == 0, output);
        return ZipFile.OpenRead(zip);
    }

    private static JsonElement ReadJson(ZipArchive archive, string entry)
    {
        var found = archive.GetEntry(entry);
        Assert.True(found is not null, $"The package has no {entry}.");
        using var stream = found!.Open();
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Package_root_is_the_worker_app_the_host_loads()
    {
        using var archive = PackageOfTheBuiltApp();
        var entries = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
        foreach (var required in new[] { "DbxSync.Functions.dll", "functions.metadata", "worker.config.json", "extensions.json", "host.json" })
            Assert.Contains(required, entries);
        Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal));

        // The host starts `dotnet <defaultWorkerPath>`; it must be in the package.
        var worker = ReadJson(archive, "worker.config.json").GetProperty("description");
        Assert.Equal("dotnet-isolated", worker.GetString("language"));
        Assert.Contains(worker.GetString("defaultWorkerPath")!, entries);

        // Every WebJobs extension the host loads (blobs, queues, the metadata loader) ships in .azurefunctions/.
        foreach (var extension in ReadJson(archive, "extensions.json").GetProperty("extensions").EnumerateArray())
            Assert.Contains(Path.GetRelativePath(".", extension.GetString("hintPath")!).Replace('\\', '/'), entries);
        Assert.Contains(ReadJson(archive, "extensions.json").GetProperty("extensions").EnumerateArray(), e => e.GetString("name") == "AzureStorageBlobs");
    }

    [Fact]
    public void Package_runs_the_worker_with_server_gc_so_its_gen0_budget_follows_the_heap()
    {
        // Workstation GC sizes gen0 from the L3 cache (~150 MiB of garbage on a host reporting 300 MiB), which doubled
        // the worker's peak; Server GC with DATAS (on by default since .NET 9) keeps it near the live heap.
        using var archive = PackageOfTheBuiltApp();
        var properties = ReadJson(archive, "DbxSync.Functions.runtimeconfig.json").GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.TryGetProperty("System.GC.DynamicAdaptationMode", out var datas) && datas.GetInt32() == 0, "DATAS is turned off");
    }

    [Fact]
    public void Package_has_no_custom_handler_leftovers_or_local_settings()
    {
        using var archive = PackageOfTheBuiltApp();
        var host = ReadJson(archive, "host.json");
        Assert.Equal("2.0", host.GetString("version"));
        // Only what the isolated model reads: no handler section, and no bundle (.NET apps bring their
        // extensions through .azurefunctions/).
        Assert.Equal(new[] { "extensions", "functionTimeout", "logging", "version" }, host.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(archive.Entries, e => e.FullName.EndsWith("function.json", StringComparison.Ordinal)
                                                    || e.FullName.Contains("local.settings", StringComparison.Ordinal));
    }

    [Fact]
    public void A_publish_folder_without_the_worker_files_is_refused()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_scratch, "empty")).FullName;
        var zip = Path.Combine(_scratch, "app.zip");

        var (exitCode, output) = Publish("--no-build", "--publish-dir", empty, "--output", zip);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DbxSync.Functions.dll", output);
        Assert.False(File.Exists(zip));
    }

    [Fact]
    public void Publish_script_packages_a_release_dotnet_publish_of_the_worker()
    {
        var script = File.ReadAllText(RepoPaths.Combine("tools", "publish.sh"));
        Assert.StartsWith("#!/usr/bin/env bash", script);
        Assert.Contains("set -euo pipefail", script);
        Assert.Contains("dotnet publish src/DbxSync.Functions -c Release", script);
        Assert.Contains("artifacts/dbxsync-functions.zip", script);
    }
}
