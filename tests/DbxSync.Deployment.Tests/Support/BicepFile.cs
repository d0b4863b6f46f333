namespace DbxSync.Deployment.Tests.Support;

public sealed record BicepParam(string Name, string Type, bool HasDefault, bool IsSecure);

public sealed record BicepModule(string Name, string RelativePath, IReadOnlyList<string> PassedParams);

/// <summary>A declaration's tokens: the whole statement from its keyword to the end of its value.</summary>
public sealed record BicepStatement(string Keyword, string Name, int Start, int End);

/// <summary>The declarations and references of one .bicep file, from <see cref="BicepLexer"/> tokens.</summary>
public sealed class BicepFile
{
    public static readonly HashSet<string> KnownFunctions = new(StringComparer.Ordinal)
    {
        // Any, array, object, string, numeric, logical, date, deployment, resource, scope and lambda functions.
        "any", "array", "concat", "contains", "empty", "first", "flatten", "indexOf", "intersection", "items", "last",
        "lastIndexOf", "length", "max", "min", "range", "skip", "take", "union", "filter", "map", "reduce", "sort",
        "toObject", "groupBy", "mapValues", "objectKeys", "shallowMerge", "tryGet", "json", "base64", "base64ToJson",
        "base64ToString", "dataUri", "dataUriToString", "endsWith", "format", "guid", "join", "newGuid", "padLeft",
        "replace", "split", "startsWith", "string", "substring", "toLower", "toUpper", "trim", "uniqueString", "uri",
        "uriComponent", "uriComponentToString", "int", "bool", "dateTimeAdd", "dateTimeFromEpoch", "dateTimeToEpoch",
        "utcNow", "deployer", "deployment", "environment", "loadFileAsBase64", "loadJsonContent", "loadYamlContent",
        "loadTextContent", "extensionResourceId", "getSecret", "list", "listKeys", "listSecrets", "pickZones",
        "providers", "reference", "resourceId", "subscriptionResourceId", "managementGroupResourceId",
        "tenantResourceId", "managementGroup", "resourceGroup", "subscription", "tenant", "fail", "buildUri", "parseUri",
        "readEnvironmentVariable", "cidrSubnet", "cidrHost", "parseCidr", "split",
        // Decorators.
        "description", "allowed", "minLength", "maxLength", "minValue", "maxValue", "secure", "metadata", "batchSize",
        "sealed", "discriminator", "export", "sys", "az",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "param", "var", "resource", "module", "output", "type", "func", "import", "metadata", "targetScope",
        "existing", "for", "in", "if", "true", "false", "null", "with", "as", "using", "extension",
    };

    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal)
    {
        "string", "int", "bool", "object", "array", "resource",
    };

    public string Path { get; }
    public IReadOnlyList<BicepToken> Tokens { get; }
    public Dictionary<string, BicepParam> Params { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BicepStatement> Vars { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Resources { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BicepStatement> ResourceStatements { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BicepModule> Modules { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BicepStatement> Outputs { get; } = new(StringComparer.Ordinal);
    public HashSet<string> LocalVariables { get; } = new(StringComparer.Ordinal);

    private BicepFile(string path, List<BicepToken> tokens)
    {
        Path = path;
        Tokens = tokens;
        CollectDeclarations();
    }

    public static BicepFile Load(string path) => new(path, BicepLexer.Tokenize(File.ReadAllText(path)));

    public static BicepFile Parse(string source, string path = "inline.bicep") => new(path, BicepLexer.Tokenize(source));

    public IEnumerable<string> DeclaredSymbols =>
        Params.Keys.Concat(Vars.Keys).Concat(Resources).Concat(Modules.Keys).Concat(LocalVariables);

    /// <summary>Index just past the value that starts at <paramref name="start"/>: brackets balanced, then end of line.</summary>
    public int EndOfExpression(int start)
    {
        var depth = 0;
        for (var i = start; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            if (t.Kind == BicepTokenKind.Symbol && t.Text is "{" or "[" or "(") depth++;
            else if (t.Kind == BicepTokenKind.Symbol && t.Text is "}" or "]" or ")") depth--;
            else if (t.Kind == BicepTokenKind.NewLine && depth == 0) return i;
        }
        return Tokens.Count;
    }

    private bool AtStatementStart(int i) => i == 0 || Tokens[i - 1].Kind == BicepTokenKind.NewLine;

    private void CollectDeclarations()
    {
        for (var i = 0; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            if (t.Kind != BicepTokenKind.Identifier) continue;

            if (AtStatementStart(i) && i + 1 < Tokens.Count && Tokens[i + 1].Kind == BicepTokenKind.Identifier)
            {
                var name = Tokens[i + 1].Text;
                var end = EndOfExpression(i);
                switch (t.Text)
                {
                    case "param":
                        var hasDefault = Enumerable.Range(i, end - i).Any(k => Tokens[k].Is("="));
                        Params[name] = new BicepParam(name, Tokens[i + 2].Text, hasDefault, IsSecureDecorated(i));
                        break;
                    case "var":
                        Vars[name] = new BicepStatement("var", name, i, end);
                        break;
                    case "resource":
                        Resources.Add(name);
                        ResourceStatements[name] = new BicepStatement("resource", name, i, end);
                        break;
                    case "output":
                        Outputs[name] = new BicepStatement("output", name, i, end);
                        break;
                    case "module":
                        Modules[name] = new BicepModule(name, Tokens[i + 2].Text, ModuleParamKeys(i, end));
                        break;
                }
            }
            else if (t.Text == "resource" && i + 1 < Tokens.Count && Tokens[i + 1].Kind == BicepTokenKind.Identifier)
            {
                Resources.Add(Tokens[i + 1].Text); // nested resource declared inside a parent body
            }

            if (t.Text == "for" && i + 1 < Tokens.Count)
            {
                // for x in ...  |  for (x, i) in ...
                for (var k = i + 1; k < Tokens.Count && !Tokens[k].Is("in"); k++)
                    if (Tokens[k].Kind == BicepTokenKind.Identifier) LocalVariables.Add(Tokens[k].Text);
            }
            if (i + 1 < Tokens.Count && Tokens[i + 1].Is("=>")) LocalVariables.Add(t.Text);
        }
        // Lambdas with several parameters: (a, b) => ...
        for (var i = 0; i < Tokens.Count; i++)
        {
            if (!Tokens[i].Is("=>") || i == 0 || !Tokens[i - 1].Is(")")) continue;
            for (var k = i - 2; k >= 0 && !Tokens[k].Is("("); k--)
                if (Tokens[k].Kind == BicepTokenKind.Identifier) LocalVariables.Add(Tokens[k].Text);
        }
    }

    private bool IsSecureDecorated(int paramIndex)
    {
        // Walk back over the decorator lines directly above the declaration.
        var k = paramIndex - 1;
        while (k >= 0)
        {
            if (Tokens[k].Kind == BicepTokenKind.NewLine) { k--; continue; }
            var lineStart = k;
            while (lineStart > 0 && Tokens[lineStart - 1].Kind != BicepTokenKind.NewLine) lineStart--;
            if (!Tokens[lineStart].Is("@")) return false;
            if (Tokens[lineStart + 1].Text == "secure") return true;
            k = lineStart - 1;
        }
        return false;
    }

    private List<string> ModuleParamKeys(int start, int end)
    {
        for (var i = start; i < end - 2; i++)
        {
            if (!(Tokens[i].Is("params") && Tokens[i + 1].Is(":") && Tokens[i + 2].Is("{"))) continue;
            return ObjectKeys(i + 2);
        }
        return [];
    }

    /// <summary>Top-level keys of the object literal opening at <paramref name="openBrace"/>.</summary>
    public List<string> ObjectKeys(int openBrace)
    {
        var keys = new List<string>();
        var depth = 0;
        for (var i = openBrace; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            if (t.Kind == BicepTokenKind.Symbol && t.Text is "{" or "[" or "(") { depth++; continue; }
            if (t.Kind == BicepTokenKind.Symbol && t.Text is "}" or "]" or ")")
            {
                if (--depth == 0) break;
                continue;
            }
            if (depth == 1 && IsObjectKey(i)) keys.Add(t.Text);
        }
        return keys;
    }

    /// <summary>An identifier or string followed by ':' at the start of an object entry (not the middle of a ternary).</summary>
    public bool IsObjectKey(int i)
    {
        var t = Tokens[i];
        if (t.Kind is not (BicepTokenKind.Identifier or BicepTokenKind.String)) return false;
        if (i + 1 >= Tokens.Count || !Tokens[i + 1].Is(":")) return false;
        if (i == 0) return false;
        var previous = Tokens[i - 1];
        return previous.Kind == BicepTokenKind.NewLine || previous.Is("{") || previous.Is(",");
    }

    /// <summary>Identifiers used as values that are neither declared here nor Bicep built-ins.</summary>
    public List<string> UndeclaredReferences()
    {
        var declared = DeclaredSymbols.ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        for (var i = 0; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            if (t.Kind != BicepTokenKind.Identifier) continue;
            var previous = i > 0 ? Tokens[i - 1] : null;
            var next = i + 1 < Tokens.Count ? Tokens[i + 1] : null;

            if (previous is not null && (previous.Is(".") || previous.Is(".?") || previous.Is("::") || previous.Is("@"))) continue;
            if (Keywords.Contains(t.Text)) continue;
            if (IsObjectKey(i)) continue;
            if (previous is not null && previous.Kind == BicepTokenKind.Identifier && previous.Text is "param" or "var" or "resource" or "module" or "output" or "type" or "func") continue;
            // The type in 'param name string' and 'output name string'.
            if (TypeNames.Contains(t.Text) && i >= 2 && Tokens[i - 2].Text is "param" or "output") continue;
            if (next is not null && next.Is("("))
            {
                if (!KnownFunctions.Contains(t.Text)) problems.Add($"{System.IO.Path.GetFileName(Path)}:{t.Line}: unknown function '{t.Text}'");
                continue;
            }
            if (declared.Contains(t.Text) || t.Text is "sys" or "az") continue;
            problems.Add($"{System.IO.Path.GetFileName(Path)}:{t.Line}: '{t.Text}' is not a declared param, var, resource, module or loop variable");
        }
        return problems;
    }

    /// <summary>Names X used as <c>module.outputs.X</c> for the given module symbol.</summary>
    public IEnumerable<(string Output, int Line)> OutputReferences(string moduleSymbol)
    {
        for (var i = 0; i + 3 < Tokens.Count; i++)
            if (Tokens[i].Is(moduleSymbol) && Tokens[i + 1].Is(".") && Tokens[i + 2].Is("outputs") && Tokens[i + 3].Is("."))
                yield return (Tokens[i + 4].Text, Tokens[i + 4].Line);
    }

    /// <summary>Literal (non-interpolated) strings in the token range.</summary>
    public IEnumerable<string> StringLiterals(int start = 0, int end = int.MaxValue) =>
        Tokens.Take(Math.Min(end, Tokens.Count)).Skip(start)
            .Where(t => t.Kind == BicepTokenKind.String && !t.HasInterpolation).Select(t => t.Text);

    /// <summary>Values of <c>name: '...'</c> entries in the token range.</summary>
    public IEnumerable<string> NameEntries(int start, int end)
    {
        for (var i = start; i < Math.Min(end, Tokens.Count) - 2; i++)
            if (Tokens[i].Is("name") && IsObjectKey(i) && Tokens[i + 2].Kind == BicepTokenKind.String)
                yield return Tokens[i + 2].Text;
    }
}
