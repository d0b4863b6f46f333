using DbxSync.Deployment.Tests.Support;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// tools/deploy.sh against stand-in `az` and `curl` commands that record their calls: the three steps run in
/// order, step 3 only once the blobs_extension key exists, with the names step 1 output.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbxsync-deploy-").FullName;
    private string CallLog => Path.Combine(_scratch, "az-calls.txt");

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>An `az` answering like the real one for the calls deploy.sh makes; keys appear on the given call.</summary>
    private string FakeTools(int keyAppearsOnCall)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_scratch, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "az"), $$"""
            #!/usr/bin/env bash
            echo "$*" >> "{{CallLog}}"
            case "$*" in
              *"properties.outputs.functionAppName.value"*) echo func-dbxsync-dev-abc ;;
              *"properties.outputs.storageAccountName.value"*) echo stabc ;;
              *"properties.outputs.eventGridSystemTopicName.value"*) echo evgt-abc ;;
              *"properties.outputs.functionAppUrl.value"*) echo https://func-dbxsync-dev-abc.azurewebsites.net ;;
              *"properties.parameters.environmentName.value"*) echo dbxsync-dev ;;
              "functionapp keys list"*)
                calls=$(grep -c '^functionapp keys list' "{{CallLog}}")
                if [ "$calls" -ge {{keyAppearsOnCall}} ]; then echo true; else echo false; fi ;;
            esac
            """.Replace("\r", ""));
        File.WriteAllText(Path.Combine(bin, "curl"), "#!/usr/bin/env bash\nexit 0\n");
        foreach (var tool in new[] { "az", "curl" })
            File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    private (int ExitCode, string Output, List<string> Calls) Deploy(string bin)
    {
        var package = Path.Combine(_scratch, "app.zip");
        File.WriteAllText(package, "zip");
        var (exitCode, output) = Script.Run("tools/deploy.sh", ["rg-dbxsync"], new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["DBXSYNC_PACKAGE"] = package,
            ["DBXSYNC_DEPLOY_POLL_SECONDS"] = "0",
        });
        var calls = File.Exists(CallLog) ? File.ReadAllLines(CallLog).ToList() : [];
        return (exitCode, output, calls);
    }

    [Fact]
    public void Deploys_infrastructure_then_code_then_event_grid_once_the_key_exists()
    {
        var (exitCode, output, calls) = Deploy(FakeTools(keyAppearsOnCall: 3));

        Assert.True(exitCode == 0, output);
        var main = calls.FindIndex(c => c.StartsWith("deployment group create -g rg-dbxsync -n dbxsync-main -p infra/main.bicepparam", StringComparison.Ordinal));
        var code = calls.FindIndex(c => c.StartsWith("functionapp deployment source config-zip -g rg-dbxsync -n func-dbxsync-dev-abc --src ", StringComparison.Ordinal));
        var keyChecks = calls.Where(c => c.StartsWith("functionapp keys list", StringComparison.Ordinal)).ToList();
        var eventGrid = calls.FindIndex(c => c.StartsWith("deployment group create -g rg-dbxsync -n dbxsync-eventgrid -f infra/eventgrid.bicep", StringComparison.Ordinal));
        Assert.True(main >= 0 && code > main && eventGrid > code, string.Join(Environment.NewLine, calls));
        Assert.Equal(3, keyChecks.Count);
        Assert.All(keyChecks, c => Assert.Contains("--query systemKeys.blobs_extension != null", c));
        Assert.EndsWith("functionAppName=func-dbxsync-dev-abc storageAccountName=stabc systemTopicName=evgt-abc environmentName=dbxsync-dev", calls[eventGrid]);
    }

    [Fact]
    public void Stops_before_event_grid_when_the_key_never_appears()
    {
        var (exitCode, output, calls) = Deploy(FakeTools(keyAppearsOnCall: int.MaxValue));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no blobs_extension key", output);
        Assert.DoesNotContain(calls, c => c.Contains("eventgrid.bicep", StringComparison.Ordinal));
    }
}
