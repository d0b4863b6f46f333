using System.Diagnostics;
using System.IO.Compression;
using DbxSync.Deployment.Tests.Support;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// tools/package_functions.py (the packaging half of tools/publish.sh) run against a fake publish folder,
/// so the zip layout is checked without a 100 MB self-contained publish.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private const int ExecutableMode = 0x81ED; // regular file, rwxr-xr-x
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbxsync-package-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string FakePublishFolder()
    {
        var publish = Directory.CreateDirectory(Path.Combine(_scratch, "publish")).FullName;
        File.WriteAllText(Path.Combine(publish, AppLayout.ExecutableName), "#!/bin/sh\necho handler\n");
        File.WriteAllText(Path.Combine(publish, AppLayout.ExecutableName + ".pdb"), "symbols");
        File.WriteAllText(Path.Combine(publish, "appsettings.json"), "{}");
        File.WriteAllText(Path.Combine(publish, "appsettings.Development.json"), "{}");
        File.WriteAllText(Path.Combine(publish, "web.config"), "<configuration/>");
        File.WriteAllText(Path.Combine(publish, "local.settings.json"), "{\"Values\":{}}");
        return publish;
    }

    private static string FakeRepo(string root, params string[] functionNames)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "host.json"),
            $$$"""{"version":"2.0","customHandler":{"description":{"defaultExecutablePath":"{{{AppLayout.ExecutableName}}}"},"enableForwardingHttpRequest":true}}""");
        foreach (var name in functionNames)
        {
            Directory.CreateDirectory(Path.Combine(root, "functions", name));
            File.WriteAllText(Path.Combine(root, "functions", name, "function.json"),
                """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 */1 * * * *"}]}""");
        }
        return root;
    }

    private (int ExitCode, string Output) Package(string repoRoot, string publish, string zip)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     RepoPaths.Combine("tools", "package_functions.py"), "--repo-root", repoRoot, "--publish-dir", publish,
                     "--package-dir", Path.Combine(_scratch, "package"), "--zip", zip,
                 })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "package_functions.py did not finish within 60 s.");
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static int UnixMode(ZipArchiveEntry entry) => (entry.ExternalAttributes >> 16) & 0xFFFF;

    [Fact]
    public void Zip_has_host_json_a_root_folder_per_function_and_an_executable_handler()
    {
        var repo = FakeRepo(Path.Combine(_scratch, "repo"), "Alpha", "Beta");
        var zip = Path.Combine(_scratch, "out", "app.zip");

        var (exitCode, output) = Package(repo, FakePublishFolder(), zip);

        Assert.True(exitCode == 0, output);
        Assert.Contains(zip, output);
        using var archive = ZipFile.OpenRead(zip);
        // The host discovers functions only in direct subfolders of the app root, so functions/X becomes X.
        Assert.Equal(new[] { "Alpha/function.json", "Beta/function.json", AppLayout.ExecutableName, "appsettings.json", "host.json" },
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(ExecutableMode, UnixMode(archive.GetEntry(AppLayout.ExecutableName)!));
        Assert.Equal(0x81A4, UnixMode(archive.GetEntry("host.json")!));
    }

    [Fact]
    public void Extracting_the_zip_on_linux_keeps_the_execute_bit()
    {
        if (OperatingSystem.IsWindows()) return;
        var zip = Path.Combine(_scratch, "app.zip");
        Assert.Equal(0, Package(FakeRepo(Path.Combine(_scratch, "repo"), "Alpha"), FakePublishFolder(), zip).ExitCode);

        var extracted = Path.Combine(_scratch, "extracted");
        ZipFile.ExtractToDirectory(zip, extracted);

        Assert.True(File.GetUnixFileMode(Path.Combine(extracted, AppLayout.ExecutableName)).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void Missing_executable_fails_with_a_clear_message()
    {
        var publish = FakePublishFolder();
        File.Delete(Path.Combine(publish, AppLayout.ExecutableName));

        var (exitCode, output) = Package(FakeRepo(Path.Combine(_scratch, "repo"), "Alpha"), publish, Path.Combine(_scratch, "app.zip"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(AppLayout.ExecutableName, output);
        Assert.False(File.Exists(Path.Combine(_scratch, "app.zip")));
    }

    [Fact]
    public void Invalid_function_folder_name_is_rejected()
    {
        var repo = FakeRepo(Path.Combine(_scratch, "repo"), "Alpha", "1bad");

        var (exitCode, output) = Package(repo, FakePublishFolder(), Path.Combine(_scratch, "app.zip"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("1bad", output);
    }

    [Fact]
    public void Repository_function_definitions_package_into_a_valid_app_root()
    {
        AppLayout.Require("host.json");
        var functionNames = AppLayout.Functions().Keys.ToList();
        var zip = Path.Combine(_scratch, "app.zip");

        var (exitCode, output) = Package(AppLayout.Root, FakePublishFolder(), zip);

        Assert.True(exitCode == 0, output);
        using var archive = ZipFile.OpenRead(zip);
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("host.json", entries);
        foreach (var name in functionNames) Assert.Contains($"{name}/function.json", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("functions/", StringComparison.Ordinal) || e.Contains("local.settings", StringComparison.Ordinal));
        Assert.Equal(ExecutableMode, UnixMode(archive.GetEntry(AppLayout.ExecutableName)!));
    }

    [Fact]
    public void Publish_script_builds_self_contained_linux_x64_single_file_and_supports_no_build()
    {
        var script = File.ReadAllText(RepoPaths.Combine("tools", "publish.sh"));
        Assert.StartsWith("#!/usr/bin/env bash", script);
        Assert.Contains("set -euo pipefail", script);
        Assert.Contains("dotnet publish src/DbxSync.Functions -c Release -r linux-x64 --self-contained true", script);
        Assert.Contains("-p:PublishSingleFile=true -p:InvariantGlobalization=true", script);
        Assert.Contains("--no-build)", script);
        Assert.Contains("artifacts/dbxsync-functions.zip", script);
        if (!OperatingSystem.IsWindows())
            Assert.True(File.GetUnixFileMode(RepoPaths.Combine("tools", "publish.sh")).HasFlag(UnixFileMode.UserExecute));
    }
}
