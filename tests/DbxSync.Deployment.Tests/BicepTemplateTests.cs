using System.Text.Json;
using System.Text.RegularExpressions;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// Static checks standing in for the Bicep compiler, which cannot be installed here: every symbol is declared,
/// modules and their params line up, Flex Consumption gets none of the settings it rejects, and outputs carry no secrets.
/// </summary>
public class BicepTemplateTests
{
    private static readonly string[] ExpectedFiles =
    [
        "main.bicep", "modules/storage.bicep", "modules/keyvault.bicep", "modules/monitoring.bicep",
        "modules/functionapp.bicep", "modules/rbac.bicep", "modules/eventgrid.bicep",
    ];

    private static readonly string[] FlexForbiddenSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
    ];

    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in ExpectedFiles) data.Add(file);
        return data;
    }

    [Fact]
    public void Infra_holds_main_and_one_module_per_concern()
    {
        foreach (var file in ExpectedFiles)
            Assert.True(File.Exists(Path.Combine(AppLayout.InfraDirectory, file)), $"infra/{file} is missing.");
        Assert.Equal(ExpectedFiles.Order(StringComparer.Ordinal),
            AppLayout.AllBicepPaths().Select(p => Path.GetRelativePath(AppLayout.InfraDirectory, p).Replace('\\', '/')).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_identifier_is_declared_or_a_builtin(string file)
    {
        var bicep = AppLayout.Bicep(file);
        var problems = bicep.UndeclaredReferences();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Registry_modules_are_not_used(string file)
    {
        // br/public modules are fetched from MCR at compile time; templates here must build offline.
        foreach (var module in AppLayout.Bicep(file).Modules.Values)
            Assert.DoesNotMatch(new Regex("^(br|ts)[:/]"), module.RelativePath);
    }

    [Fact]
    public void Main_targets_the_resource_group_scope()
    {
        var main = AppLayout.Bicep("main.bicep");
        var scope = Enumerable.Range(0, main.Tokens.Count - 2).Single(i => main.Tokens[i].Is("targetScope"));
        Assert.Equal("resourceGroup", main.Tokens[scope + 2].Text);
    }

    [Fact]
    public void Modules_exist_receive_only_declared_params_and_every_required_one()
    {
        var main = AppLayout.Bicep("main.bicep");
        Assert.NotEmpty(main.Modules);
        foreach (var module in main.Modules.Values)
        {
            var modulePath = Path.GetFullPath(Path.Combine(AppLayout.InfraDirectory, module.RelativePath));
            Assert.True(File.Exists(modulePath), $"module {module.Name}: {module.RelativePath} does not exist.");
            var target = BicepFile.Load(modulePath);

            var unknown = module.PassedParams.Where(p => !target.Params.ContainsKey(p)).ToList();
            Assert.True(unknown.Count == 0, $"module {module.Name} passes params {string.Join(", ", unknown)} that {module.RelativePath} does not declare.");
            var duplicated = module.PassedParams.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicated.Count == 0, $"module {module.Name} passes {string.Join(", ", duplicated)} twice.");
            var missing = target.Params.Values.Where(p => !p.HasDefault && !module.PassedParams.Contains(p.Name)).Select(p => p.Name).ToList();
            Assert.True(missing.Count == 0, $"module {module.Name} does not pass required params {string.Join(", ", missing)}.");

            foreach (var (output, line) in main.OutputReferences(module.Name))
                Assert.True(target.Outputs.ContainsKey(output), $"main.bicep:{line}: {module.Name}.outputs.{output} is not an output of {module.RelativePath}.");
        }
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_declared_param_is_used(string file)
    {
        var bicep = AppLayout.Bicep(file);
        var unused = bicep.Params.Keys.Where(p => bicep.Tokens.Count(t => t.Is(p)) < 2).ToList();
        Assert.True(unused.Count == 0, $"{file}: params never used: {string.Join(", ", unused)}");
    }

    [Fact]
    public void Parameters_file_names_only_declared_params_and_every_required_one()
    {
        var main = AppLayout.Bicep("main.bicep");
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, "main.parameters.json")));
        var parameters = document.RootElement.GetProperty("parameters").EnumerateObject().ToList();
        foreach (var parameter in parameters)
        {
            Assert.True(main.Params.ContainsKey(parameter.Name), $"main.parameters.json sets '{parameter.Name}', which main.bicep does not declare.");
            Assert.True(parameter.Value.TryGetProperty("value", out _) || parameter.Value.TryGetProperty("reference", out _),
                $"main.parameters.json '{parameter.Name}' has neither value nor reference.");
        }
        var missing = main.Params.Values.Where(p => !p.HasDefault && parameters.All(x => x.Name != p.Name)).Select(p => p.Name).ToList();
        Assert.True(missing.Count == 0, "main.parameters.json lacks required params: " + string.Join(", ", missing));
    }

    [Fact]
    public void Flex_gets_none_of_the_settings_it_rejects()
    {
        var settings = FunctionAppSettings.Load();
        var tokens = settings.File.Tokens;
        Assert.Contains(tokens.Select((t, i) => (t, i)), x => x.t.Is("isFlex") && x.i > 0 && tokens[x.i - 1].Is("var")
            && tokens[x.i + 2].Is("hostingPlan") && tokens[x.i + 3].Is("==") && tokens[x.i + 4].Text == "flex");

        foreach (var forbidden in FlexForbiddenSettings)
            Assert.DoesNotContain(forbidden, settings.FlexSettingNames);

        // Forbidden names and linuxFxVersion may appear only inside vars that Flex never receives.
        var classicRanges = settings.ClassicOnlyVars.Select(v => settings.File.Vars[v]).ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            var isForbiddenSetting = tokens[i].Kind == BicepTokenKind.String && FlexForbiddenSettings.Contains(tokens[i].Text);
            var isLinuxFxVersion = tokens[i].Text == "linuxFxVersion";
            if (!isForbiddenSetting && !isLinuxFxVersion) continue;
            Assert.True(classicRanges.Any(r => i > r.Start && i < r.End),
                $"functionapp.bicep:{tokens[i].Line}: '{tokens[i].Text}' is outside the classic-plan-only vars, so Flex would receive it.");
        }

        Assert.Contains(settings.ClassicOnlySettingNames, n => n == "FUNCTIONS_WORKER_RUNTIME");
    }

    [Fact]
    public void Flex_runtime_is_custom_with_identity_based_deployment_storage()
    {
        var text = File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, "modules/functionapp.bicep"));
        Assert.Matches(new Regex(@"runtime:\s*\{\s*name:\s*'custom',\s*version:\s*'1\.0'\s*\}"), text);
        Assert.Matches(new Regex(@"authentication:\s*\{\s*type:\s*'SystemAssignedIdentity'\s*\}"), text);
        Assert.Matches(new Regex(@"flex:\s*\{\s*tier:\s*'FlexConsumption',\s*name:\s*'FC1'\s*\}"), text);
        Assert.Matches(new Regex(@"httpsOnly:\s*true"), text);
        Assert.Matches(new Regex(@"identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}"), text);
        Assert.Matches(new Regex(@"param hostingPlan string = 'flex'"), File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, "main.bicep")));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Outputs_carry_no_secrets(string file)
    {
        var bicep = AppLayout.Bicep(file);
        var secretWords = new Regex("secret|password|connectionstring|sas|token|credential|instrumentationkey|keys?$", RegexOptions.IgnoreCase);
        var securedParams = bicep.Params.Values.Where(p => p.IsSecure).Select(p => p.Name).ToHashSet();
        foreach (var output in bicep.Outputs.Values)
        {
            Assert.DoesNotMatch(secretWords, output.Name);
            var expression = bicep.Tokens.Skip(output.Start).Take(output.End - output.Start).ToList();
            foreach (var token in expression)
            {
                Assert.False(token.Kind == BicepTokenKind.Identifier && (token.Text.StartsWith("list", StringComparison.Ordinal) || secretWords.IsMatch(token.Text) || securedParams.Contains(token.Text)),
                    $"{file}:{token.Line}: output {output.Name} uses '{token.Text}'.");
            }
        }
    }

    [Fact]
    public void Main_outputs_the_app_name_https_url_storage_account_and_vault_uri()
    {
        var main = AppLayout.Bicep("main.bicep");
        Assert.Equal(new[] { "functionAppName", "functionAppUrl", "keyVaultUri", "storageAccountName" }, main.Outputs.Keys.Order(StringComparer.Ordinal));
        var url = main.Outputs["functionAppUrl"];
        Assert.Contains(main.Tokens.Skip(url.Start).Take(url.End - url.Start), t => t.Kind == BicepTokenKind.String && t.Text.StartsWith("https://", StringComparison.Ordinal));
    }
}
