using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Core.Syncs.TableExport;

namespace DbxSync.Functions.Hosting;

/// <summary>The run limit, the export part size, the import row cap and the queue's deliveries, from app settings and host.json.</summary>
public static class RunSettings
{
    /// <summary>
    /// DbxSync:Runs:TimeLimit when set, else derived from host.json's functionTimeout (absent: the 30-minute
    /// default of Flex Consumption, Premium and Dedicated; "-1": unbounded) by <see cref="RunTimeLimit"/>.
    /// </summary>
    public static TimeSpan RunTimeLimit(IConfiguration configuration, string? hostJsonPath = null)
    {
        var text = configuration[SettingNames.RunTimeLimit];
        TimeSpan? setting = string.IsNullOrWhiteSpace(text) ? null
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero ? parsed
            : throw new InvalidOperationException($"{SettingNames.ToAppSetting(SettingNames.RunTimeLimit)} must be a positive time span such as 00:20:00, got '{text}'.");
        return Core.Runs.RunTimeLimit.Resolve(setting, FunctionTimeout(hostJsonPath ?? Path.Combine(AppContext.BaseDirectory, "host.json")));
    }

    /// <summary>host.json's functionTimeout; null for "-1" (unbounded); 30 minutes when absent.</summary>
    public static TimeSpan? FunctionTimeout(string hostJsonPath)
    {
        var fallback = TimeSpan.FromMinutes(30);
        using var document = HostJson(hostJsonPath);
        if (document is null || !document.RootElement.TryGetProperty("functionTimeout", out var value) || value.ValueKind != JsonValueKind.String) return fallback;
        var text = value.GetString();
        if (text is "-1") return null;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout) ? timeout : fallback;
    }

    /// <summary>
    /// How many times the host delivers a sync-runs message before it moves it to the poison queue: host.json's
    /// extensions.queues.maxDequeueCount, else the queue extension's default of 5.
    /// </summary>
    public static RunQueueDeliveries RunQueueDeliveries(string? hostJsonPath = null)
    {
        const int HostDefault = 5;
        using var document = HostJson(hostJsonPath ?? Path.Combine(AppContext.BaseDirectory, "host.json"));
        var max = document is not null
                  && document.RootElement.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                  && extensions.TryGetProperty("queues", out var queues) && queues.ValueKind == JsonValueKind.Object
                  && queues.TryGetProperty("maxDequeueCount", out var value) && value.TryGetInt32(out var count) && count > 0
            ? count : HostDefault;
        return new RunQueueDeliveries(max);
    }

    private static JsonDocument? HostJson(string path)
        => File.Exists(path)
            ? JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            : null;

    public static ExportPartOptions ExportParts(IConfiguration configuration)
    {
        var defaults = new ExportPartOptions();
        return new ExportPartOptions
        {
            PartRows = Positive(configuration, SettingNames.ExportPartRows) ?? defaults.PartRows,
            PartBytes = Positive(configuration, SettingNames.ExportPartBytes) ?? defaults.PartBytes,
        };
    }

    public static LabeledImportOptions LabeledImports(IConfiguration configuration) => new()
    {
        MaxRowsWithoutStaging = Positive(configuration, SettingNames.ImportMaxRowsWithoutStaging) ?? new LabeledImportOptions().MaxRowsWithoutStaging,
    };

    private static long? Positive(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new InvalidOperationException($"{SettingNames.ToAppSetting(key)} must be a positive whole number, got '{text}'.");
    }
}
