namespace DbxSync.Deployment.Tests.Support;

/// <summary>
/// What infra/modules/functionapp.bicep puts into siteConfig.appSettings, split by whether Flex Consumption gets it.
/// Settings live in vars; a var referenced only as the else-branch of <c>isFlex ? [] : x</c> is classic-plan-only.
/// </summary>
public sealed class FunctionAppSettings
{
    public required BicepFile File { get; init; }
    public required IReadOnlySet<string> FlexSettingNames { get; init; }
    public required IReadOnlySet<string> ClassicOnlySettingNames { get; init; }
    public required IReadOnlySet<string> ClassicOnlyVars { get; init; }

    public static FunctionAppSettings Load()
    {
        var file = AppLayout.Bicep("modules/functionapp.bicep");
        var tokens = file.Tokens;
        var appSettingsKey = Enumerable.Range(0, tokens.Count).SingleOrDefault(i => tokens[i].Is("appSettings") && file.IsObjectKey(i), -1);
        Assert.True(appSettingsKey >= 0, "functionapp.bicep has no siteConfig.appSettings entry.");
        var expressionEnd = file.EndOfExpression(appSettingsKey + 2);

        var classicOnlyVars = file.Vars.Keys.Where(v => IsOnlyUsedOffFlex(file, v)).ToHashSet(StringComparer.Ordinal);
        var flex = new HashSet<string>(StringComparer.Ordinal);
        var classic = new HashSet<string>(StringComparer.Ordinal);
        for (var i = appSettingsKey + 2; i < expressionEnd; i++)
        {
            if (tokens[i].Kind != BicepTokenKind.Identifier || !file.Vars.TryGetValue(tokens[i].Text, out var statement)) continue;
            var target = classicOnlyVars.Contains(statement.Name) ? classic : flex;
            foreach (var name in file.NameEntries(statement.Start, statement.End)) target.Add(name);
        }
        // Settings written inline in the appSettings array apply to every plan.
        foreach (var name in file.NameEntries(appSettingsKey, expressionEnd)) flex.Add(name);

        return new FunctionAppSettings { File = file, FlexSettingNames = flex, ClassicOnlySettingNames = classic, ClassicOnlyVars = classicOnlyVars };
    }

    /// <summary>Every reference reads <c>isFlex ? [] : name</c> or <c>isFlex ? {} : name</c>.</summary>
    private static bool IsOnlyUsedOffFlex(BicepFile file, string varName)
    {
        var tokens = file.Tokens;
        var uses = Enumerable.Range(0, tokens.Count)
            .Where(i => tokens[i].Is(varName) && !(i > 0 && tokens[i - 1].Is("var")))
            .ToList();
        return uses.Count > 0 && uses.All(i =>
            i >= 5 && tokens[i - 1].Is(":") && (tokens[i - 2].Is("]") && tokens[i - 3].Is("[") || tokens[i - 2].Is("}") && tokens[i - 3].Is("{"))
            && tokens[i - 4].Is("?") && tokens[i - 5].Is("isFlex"));
    }
}
