using System.Text.Json;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>eventgrid.bicep, the last deployment step: BlobCreated events reach the blob triggers' webhook.</summary>
public class EventGridTests
{
    private const string AppName = "func-dbxsync-dev-abc";
    private const string StorageName = "stabc";

    internal static DeploymentSnapshot Snapshot => DeploymentSnapshot.Of("eventgrid.bicep",
        $"functionAppName = '{AppName}'", $"storageAccountName = '{StorageName}'", "systemTopicName = 'evgt-abc'", "environmentName = 'dbxsync-dev'");

    /// <summary>eventgrid.bicep's subscriptions by the function their webhook URL names.</summary>
    internal static Dictionary<string, JsonElement> SubscriptionsByFunction() =>
        Snapshot.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions").ToDictionary(
            // format('https://{0}/...Host.Functions.{1}&code={2}', <host name>, '<function>', listKeys(...))
            s => WebhookUrl(s).Split(".defaultHostName, '")[1].Split('\'')[0],
            s => s);

    private static string WebhookUrl(JsonElement subscription)
    {
        Assert.Equal("WebHook", subscription.StringAt("properties.destination.endpointType"));
        return subscription.StringAt("properties.destination.properties.endpointUrl")!;
    }

    [Fact]
    public void One_system_topic_on_the_storage_account()
    {
        var topic = Snapshot.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("evgt-abc", topic.StringAt("name"));
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.StringAt("properties.topicType"));
        Assert.EndsWith($"/providers/Microsoft.Storage/storageAccounts/{StorageName}", topic.StringAt("properties.source"));
        Assert.Equal(DeploymentSnapshot.Location, topic.StringAt("location"));
    }

    [Fact]
    public void Each_blob_trigger_gets_blob_created_events_of_its_container_only()
    {
        var subscriptions = SubscriptionsByFunction();
        Assert.Equal(new[] { "ImportAnnotationsFile", "ImportLabeledFile", "SyncToVolume" }, subscriptions.Keys.Order(StringComparer.Ordinal));
        foreach (var (function, container) in new[] { ("ImportLabeledFile", "labeled"), ("SyncToVolume", "volumes"), ("ImportAnnotationsFile", "annotations") })
        {
            var subscription = subscriptions[function];
            Assert.Equal(new[] { "Microsoft.Storage.BlobCreated" },
                subscription.At("properties.filter.includedEventTypes").EnumerateArray().Select(e => e.GetString()));
            // The trailing slash keeps a container named e.g. "labeled-archive" out.
            Assert.Equal($"/blobServices/default/containers/{container}/", subscription.StringAt("properties.filter.subjectBeginsWith"));
            Assert.Equal("EventGridSchema", subscription.StringAt("properties.eventDeliverySchema"));
        }
    }

    [Fact]
    public void Webhook_is_the_blobs_extension_endpoint_with_its_system_key_read_at_deployment()
    {
        foreach (var (function, subscription) in SubscriptionsByFunction())
        {
            var url = WebhookUrl(subscription);
            Assert.StartsWith("[format('https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}'", url);
            Assert.Contains($"/providers/Microsoft.Web/sites/{AppName}', '2024-04-01').defaultHostName", url);
            Assert.Contains($"'{function}'", url);
            Assert.Contains($"listKeys('/subscriptions/{DeploymentSnapshot.SubscriptionId}/resourceGroups/{DeploymentSnapshot.ResourceGroup}/providers/Microsoft.Web/sites/{AppName}/host/default', '2024-04-01').systemKeys.blobs_extension", url);
        }
    }

    [Fact]
    public void Outputs_name_the_topic_and_subscriptions_but_never_the_key()
    {
        var outputs = Snapshot.Outputs.ToString();
        Assert.Contains("evgt-abc", outputs);
        Assert.DoesNotContain("listKeys", outputs);
        Assert.DoesNotContain("code=", outputs);
    }

    [Fact]
    public void Main_names_the_topic_eventgrid_creates()
    {
        var topicName = DeploymentSnapshot.Main.Outputs.At("eventGridSystemTopicName").GetString()!;
        Assert.StartsWith("evgt-", topicName);
        // The old blob-events queue delivery is gone: main creates no topic and no subscription of its own.
        Assert.Empty(DeploymentSnapshot.Main.OfType("Microsoft.EventGrid/systemTopics"));
        Assert.Empty(DeploymentSnapshot.Main.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));
    }
}
