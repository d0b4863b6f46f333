using System.Collections.Concurrent;
using System.Text.Json;
using DbxSync.Testing;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>
/// What a deployment of an infra/ template would create, evaluated locally by `bicep snapshot`: every resource
/// with its name, type, API version and properties, with expressions that need Azure (reference, listKeys) left
/// as ARM expression strings. Snapshots are cached per parameter set; each takes a few seconds.
/// </summary>
public sealed class DeploymentSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000aa";
    public const string TenantId = "00000000-0000-0000-0000-0000000000bb";
    public const string ResourceGroup = "rg-dbxsync-test";
    public const string Location = "westeurope";

    private static readonly ConcurrentDictionary<string, Lazy<DeploymentSnapshot>> Cache = new();

    private DeploymentSnapshot(JsonElement root)
    {
        Resources = root.GetProperty("predictedResources").EnumerateArray().ToList();
        Outputs = root.GetProperty("outputs");
    }

    public IReadOnlyList<JsonElement> Resources { get; }
    public JsonElement Outputs { get; }

    /// <summary>The shipped parameter file, infra/main.bicepparam.</summary>
    public static DeploymentSnapshot Main => Evaluated("main.bicepparam", null);

    /// <summary>
    /// main.bicep with every optional feature the shipped parameters leave off: Easy Auth, an operator role,
    /// purge protection. Same environment name as main.bicepparam, so resource names match Main's.
    /// </summary>
    public static DeploymentSnapshot MainWithOptions => Of("main.bicep", "environmentName = 'dbxsync-dev'",
        "apiAuthMode = 'easyauth'", $"easyAuthClientId = '{EasyAuthClientId}'", $"operatorPrincipalId = '{OperatorPrincipalId}'",
        "operatorPrincipalType = 'Group'", "keyVaultEnablePurgeProtection = true");

    public const string EasyAuthClientId = "11111111-2222-3333-4444-555555555555";
    public const string OperatorPrincipalId = "99999999-8888-7777-6666-555555555555";

    /// <summary>A template with parameters written as Bicep literals, e.g. <c>apiAuthMode = 'easyauth'</c>.</summary>
    public static DeploymentSnapshot Of(string template, params string[] parameters) =>
        Evaluated(template, $"using '{template}'\n" + string.Join('\n', parameters.Select(p => "param " + p)) + "\n");

    public IEnumerable<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last name segment of each resource of a child type ("st/default/labeled" gives "labeled"), sorted.</summary>
    public IReadOnlyList<string> ChildNames(string type) =>
        OfType(type).Select(r => r.StringAt("name")!.Split('/').Last()).Order(StringComparer.Ordinal).ToList();

    public JsonElement Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    private static DeploymentSnapshot Evaluated(string parameterFile, string? parameterText) =>
        Cache.GetOrAdd(parameterFile + "\n" + parameterText, _ => new Lazy<DeploymentSnapshot>(() => Evaluate(parameterFile, parameterText))).Value;

    private static DeploymentSnapshot Evaluate(string parameterFile, string? parameterText)
    {
        // A scratch copy, so the snapshot file and any parameter file never land in the repository.
        var scratch = Directory.CreateTempSubdirectory("dbxsync-infra-").FullName;
        try
        {
            CopyDirectory(RepoPaths.Combine("infra"), scratch);
            var parameters = parameterFile;
            if (parameterText is not null)
            {
                parameters = "test.bicepparam";
                File.WriteAllText(Path.Combine(scratch, parameters), parameterText);
            }
            var run = BicepCli.Run(scratch, "snapshot", parameters, "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--resource-group", ResourceGroup, "--location", Location);
            run.AssertClean($"bicep snapshot {parameterFile}");
            var snapshotPath = Path.Combine(scratch, Path.ChangeExtension(parameters, ".snapshot.json"));
            using var document = JsonDocument.Parse(File.ReadAllText(snapshotPath));
            var root = document.RootElement.Clone();
            Assert.Empty(root.GetProperty("diagnostics").EnumerateArray());
            return new DeploymentSnapshot(root);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

public static class JsonPaths
{
    /// <summary>Follows a dotted property path ("properties.siteConfig.appSettings"); fails with the path when a step is missing.</summary>
    public static JsonElement At(this JsonElement element, string path)
    {
        foreach (var step in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step, out var next))
                throw new Xunit.Sdk.XunitException($"No '{step}' on the way to '{path}'.");
            element = next;
        }
        return element;
    }

    public static string? StringAt(this JsonElement element, string path) => element.At(path).GetString();

    public static bool Has(this JsonElement element, string path)
    {
        foreach (var step in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step, out var next)) return false;
            element = next;
        }
        return true;
    }
}
