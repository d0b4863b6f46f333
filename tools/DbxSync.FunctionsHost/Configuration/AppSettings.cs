using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DbxSync.FunctionsHost.Configuration;

/// <summary>
/// The app settings the worker and the triggers see: the process environment plus the Values of local.settings.json.
/// As in Core Tools, a variable already in the environment wins over the file.
/// </summary>
public sealed partial class AppSettings
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public AppSettings(string? settingsFile)
    {
        if (settingsFile is not null)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(settingsFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("Values", out var values))
            {
                foreach (var property in values.EnumerateObject())
                    FromFile[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        foreach (var (name, value) in FromFile)
            _values[name] = value;
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            _values[(string)entry.Key] = (string?)entry.Value ?? "";
    }

    /// <summary>Values of the settings file that the environment does not already set: what the worker's environment gains.</summary>
    public Dictionary<string, string> FromFile { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>Replaces each %Name% by its setting, as binding expressions in trigger attributes are resolved.</summary>
    public string Resolve(string text) => SettingToken().Replace(text, match =>
        this[match.Groups[1].Value] ?? throw new InvalidOperationException($"App setting '{match.Groups[1].Value}' (used as %{match.Groups[1].Value}%) is not set."));

    /// <summary>
    /// A storage connection string for a binding's Connection name: the setting itself, then AzureWebJobs&lt;name&gt;;
    /// AzureWebJobsStorage when none is named.
    /// </summary>
    public string StorageConnection(string? connectionName)
    {
        var name = string.IsNullOrEmpty(connectionName) ? "AzureWebJobsStorage" : connectionName;
        return this[name] ?? this["AzureWebJobs" + name]
            ?? throw new InvalidOperationException($"Storage connection setting '{name}' is not set.");
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingToken();
}
