using System.Text.Json.Nodes;
using DbxSync.FunctionsHost.Rpc;

namespace DbxSync.FunctionsHost.Worker;

/// <summary>A function as the worker indexed it: its id for this worker, its metadata and its trigger binding.</summary>
public sealed class FunctionDescriptor
{
    public FunctionDescriptor(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        Bindings = metadata.RawBindings.Select(raw => (JsonObject)JsonNode.Parse(raw)!).ToList();
        Trigger = Bindings.FirstOrDefault(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true)
                  ?? throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding.");
    }

    public RpcFunctionMetadata Metadata { get; }
    public string Name => Metadata.Name;
    public string Id => Metadata.FunctionId;

    /// <summary>The host's full name for the function, used by webhooks, receipts and timer status.</summary>
    public string FullName => "Host.Functions." + Name;

    public IReadOnlyList<JsonObject> Bindings { get; }
    public JsonObject Trigger { get; }
    public string TriggerType => ((string?)Trigger["type"] ?? "").ToLowerInvariant();
    public string TriggerName => (string?)Trigger["name"] ?? "";

    /// <summary>The output binding the worker reports values for under this name (a property of a multi-output type, or $return).</summary>
    public JsonObject? OutputBinding(string name) => Bindings.FirstOrDefault(b =>
        string.Equals((string?)b["direction"], "out", StringComparison.OrdinalIgnoreCase) && string.Equals((string?)b["name"], name, StringComparison.OrdinalIgnoreCase));

    public string? TriggerString(string property) =>
        Trigger.FirstOrDefault(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase)).Value?.ToString();

    public bool TriggerFlag(string property) => bool.TryParse(TriggerString(property), out var value) && value;

    /// <summary>True when the worker's converter asked for deferred binding (model_binding_data) for the trigger.</summary>
    public bool SupportsDeferredBinding =>
        Trigger["properties"] is JsonObject properties && bool.TryParse(properties["supportsDeferredBinding"]?.ToString(), out var deferred) && deferred;
}
