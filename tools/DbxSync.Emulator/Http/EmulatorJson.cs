using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbxSync.Emulator.Http;

/// <summary>Databricks bodies are snake_case and omit absent fields (a missing data_array means "no rows").</summary>
public static class EmulatorJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
