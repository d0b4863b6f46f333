using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>
/// Locally the Functions host finds new blobs by listing containers, so a broken Event Grid subscription goes unseen
/// until files stop importing in Azure. These tests hold eventgrid.bicep's subscriptions against the blob triggers of
/// the built app (its functions.metadata), so a trigger or container added later must come with its subscription.
/// </summary>
public class EventGridCoverageTests
{
    private static readonly Dictionary<string, string> BlobTriggerPaths = BuiltApp.Functions()
        .Select(f => (f.Key, Trigger: BuiltApp.Trigger(f.Value)))
        .Where(f => f.Trigger.GetString("type") == "blobTrigger")
        .ToDictionary(f => f.Key, f => f.Trigger.GetString("path")!);

    [Fact]
    public void Every_blob_trigger_of_the_built_app_has_a_subscription_that_delivers_all_its_blobs_and_no_others()
    {
        Assert.NotEmpty(BlobTriggerPaths);
        var subscriptions = EventGridTests.SubscriptionsByFunction();
        foreach (var (function, path) in BlobTriggerPaths)
        {
            Assert.True(subscriptions.TryGetValue(function, out var subscription),
                $"No Event Grid subscription delivers to {function} ({path}): in Azure its blobs would never trigger it.");
            var gaps = EventGridFilter.Of(subscription).Gaps(path);
            Assert.True(gaps.Count == 0, $"{function} ({path}): {string.Join("; ", gaps)}");
        }
    }

    [Fact]
    public void Every_subscription_delivers_to_a_blob_trigger_of_the_built_app()
    {
        foreach (var function in EventGridTests.SubscriptionsByFunction().Keys)
            Assert.True(BlobTriggerPaths.ContainsKey(function), $"eventgrid.bicep subscribes {function}, which the built app has no blob trigger for.");
    }

    [Theory]
    [InlineData("labeled/{name}", "/blobServices/default/containers/labeled/", null, true)]
    [InlineData("labeled/{name}", "/blobServices/default/containers/labeled/blobs/", null, true)]
    [InlineData("annotations/{config}/{name}.jsonl", "/blobServices/default/containers/annotations/blobs/", ".jsonl", true)]
    [InlineData("annotations/{config}/{name}.jsonl", "/blobServices/default/containers/annotations/", ".JSONL", true)]
    // Too narrow: a prefix or suffix the trigger's names need not have.
    [InlineData("labeled/{name}", "/blobServices/default/containers/labeled/blobs/cfg1/", null, false)]
    [InlineData("labeled/{name}", "/blobServices/default/containers/labeled/", ".csv", false)]
    // Another container, or every container.
    [InlineData("labeled/{name}", "/blobServices/default/containers/volumes/", null, false)]
    [InlineData("labeled/{name}", "/blobServices/default/containers/label", null, false)]
    [InlineData("labeled/{name}", null, null, false)]
    public void A_filter_fits_a_trigger_path_only_if_it_lets_every_matching_blob_through_and_no_other_container(
        string path, string? beginsWith, string? endsWith, bool fits)
    {
        var filter = new EventGridFilter([EventGridFilter.BlobCreated], beginsWith, endsWith, CaseSensitive: false, HasAdvancedFilters: false);
        Assert.Equal(fits, filter.Gaps(path).Count == 0);
    }

    [Fact]
    public void A_filter_without_BlobCreated_delivers_nothing_a_trigger_needs()
    {
        var filter = new EventGridFilter(["Microsoft.Storage.BlobDeleted"], "/blobServices/default/containers/labeled/", null, false, false);
        Assert.Contains(filter.Gaps("labeled/{name}"), gap => gap.Contains(EventGridFilter.BlobCreated, StringComparison.Ordinal));
    }
}
