using System.Text.Json;
using Azure.Storage.Queues;

namespace DbxSync.Testing;

/// <summary>
/// sync-runs-poison as operators read it: the app's error-state alerts ({"kind": "config_error_state", ...}) and any
/// sync-runs message the host gave up on ({"config_id", "trigger", "run_id"}), both base64 like every sync-runs message.
/// </summary>
public static class PoisonQueue
{
    public const string Name = "sync-runs-poison";

    /// <summary>The messages about one config (up to the 32 a peek returns).</summary>
    public static async Task<List<JsonElement>> MessagesAsync(string connectionString, string configId)
    {
        var poison = new QueueClient(connectionString, Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync();
        var found = new List<JsonElement>();
        foreach (var m in (await poison.PeekMessagesAsync(32)).Value)
        {
            using var doc = JsonDocument.Parse(m.Body.ToString());
            if (doc.RootElement.TryGetProperty("config_id", out var id) && id.GetString() == configId) found.Add(doc.RootElement.Clone());
        }
        return found;
    }
}
