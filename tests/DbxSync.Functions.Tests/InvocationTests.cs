using System.Net;
using System.Text;
using System.Text.Json;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class InvocationTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private static async Task<JsonElement> AssertInvocationResponseAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        return body;
    }

    private static IEnumerable<string> Logs(JsonElement body) => body.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!);

    private static StringContent Envelope(string data, string metadata = """{"sys":{"MethodName":"X","UtcNow":"2026-01-01T00:00:00Z"}}""")
        => new($$"""{"Data":{{data}},"Metadata":{{metadata}}}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task SyncTimer_with_null_schedule_status_and_retry_context_ticks()
    {
        var response = await Fixture.Anonymous.PostAsync("/SyncTimer", Envelope(
            """{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}}""",
            """{"sys":{"MethodName":"SyncTimer"},"RetryContext":{"RetryCount":1,"MaxRetryCount":2,"Exception":null}}"""));
        var body = await AssertInvocationResponseAsync(response, HttpStatusCode.OK);
        Assert.Contains(Logs(body), l => l.Contains("retry 1 of 2"));
        Assert.Contains(Logs(body), l => l.StartsWith("tick:") && l.Contains("configs"));
    }

    [Fact]
    public async Task SyncTimer_with_a_double_encoded_timer_ticks()
    {
        var timer = JsonSerializer.Serialize("""{"ScheduleStatus":{"Last":"2026-01-01T00:00:00Z","Next":"2026-01-01T00:01:00Z"},"IsPastDue":false}""");
        var body = await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/SyncTimer", Envelope($$"""{"timer":{{timer}}}""")), HttpStatusCode.OK);
        Assert.Contains(Logs(body), l => l.Contains("last run 2026-01-01"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"Metadata":{}}""")]
    public async Task Malformed_envelopes_are_400_with_json(string body)
    {
        await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/SyncTimer", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
    }

    private static string BlobCreated(string container, string blobName, string? subjectOverride = null) => JsonSerializer.Serialize(new
    {
        topic = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
        subject = subjectOverride ?? $"/blobServices/default/containers/{container}/blobs/{string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString))}",
        eventType = "Microsoft.Storage.BlobCreated",
        id = Guid.NewGuid().ToString(),
        data = new { api = "PutBlob", url = $"https://acct.blob.core.windows.net/{container}/{Uri.EscapeDataString(blobName).Replace("%2F", "/")}", contentLength = 10 },
        dataVersion = "", metadataVersion = "1", eventTime = "2026-01-01T00:00:00Z",
    });

    /// <summary>
    /// The newest run of the config that a blob event started. Storage is shared with other test assemblies whose
    /// timer ticks may also run this config, so their timer runs are passed over.
    /// </summary>
    private async Task<JsonElement> LatestBlobEventRunAsync(string configId)
    {
        var page = await ReadJsonAsync(await Admin.GetAsync($"/api/databricks/sync-configs/{configId}/runs?page_size=100"));
        var runs = page.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(runs);
        return Assert.Single(runs, r => r.GetProperty("trigger").GetString() != "timer");
    }

    /// <summary>A small labeled file for main.default.items: the key and the label column.</summary>
    private const string LabeledCsv = "id,label\n1,cat\n3,bird\n";

    [Fact]
    public async Task BlobEvents_with_a_double_encoded_event_runs_the_config()
    {
        var configId = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "table_reverse"));
        var blob = $"{configId}/batch 01.csv";
        await Fixture.UploadAsync("labeled", blob, LabeledCsv);
        var message = JsonSerializer.Serialize(BlobCreated("labeled", blob)); // a JSON string holding the event

        var body = await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":{{message}}}""")), HttpStatusCode.OK);
        Assert.Contains(Logs(body), l => l.Contains("1 run(s)"));
        var run = await LatestBlobEventRunAsync(configId);
        Assert.Equal("blob_event", run.GetProperty("trigger").GetString());
        Assert.Equal(blob, run.GetProperty("subject").GetString());
        // The import really ran: both labeled rows merged and the file moved on.
        Assert.True("succeeded" == run.GetProperty("outcome").GetString(), run.ToString());
        Assert.Equal(2, run.GetProperty("rows").GetInt64());
        Assert.Null(await Fixture.Blobs.GetPropertiesAsync("labeled", blob));
        Assert.NotNull(await Fixture.Blobs.GetPropertiesAsync("processed", blob));
    }

    [Fact]
    public async Task BlobEvents_with_a_base64_event_runs_the_config()
    {
        var configId = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "volume_reverse"));
        var blob = $"{configId}/dir/image%201.png";
        await Fixture.UploadAsync("volumes", blob, "not really a png");
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(BlobCreated("volumes", blob)));

        await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":"{{base64}}"}""")), HttpStatusCode.OK);
        var run = await LatestBlobEventRunAsync(configId);
        Assert.Equal("blob_event", run.GetProperty("trigger").GetString());
        Assert.Equal(blob, run.GetProperty("subject").GetString());
        Assert.True("succeeded" == run.GetProperty("outcome").GetString(), run.ToString());
        Assert.Equal(1, run.GetProperty("files").GetInt64());
    }

    [Fact]
    public async Task BlobEvents_falls_back_to_data_url_when_the_subject_is_unusable()
    {
        var configId = Id(await CreateConfigAsync(Id(await RegisterPrincipalAsync()), "table_reverse"));
        var blob = $"{configId}/from-url.csv";
        await Fixture.UploadAsync("labeled", blob, LabeledCsv);
        var message = JsonSerializer.Serialize(BlobCreated("labeled", blob, subjectOverride: "unexpected"));

        await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":{{message}}}""")), HttpStatusCode.OK);
        Assert.Equal(blob, (await LatestBlobEventRunAsync(configId)).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task BlobEvents_ignores_other_event_types_and_foreign_blobs()
    {
        var deleted = JsonSerializer.Serialize(BlobCreated("labeled", "x/y.csv").Replace("Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted"));
        var body = await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":{{deleted}}}""")), HttpStatusCode.OK);
        Assert.Contains(Logs(body), l => l.Contains("BlobDeleted"));

        var foreign = JsonSerializer.Serialize(BlobCreated("exports", $"{Guid.NewGuid()}/a.csv"));
        body = await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":{{foreign}}}""")), HttpStatusCode.OK);
        Assert.Contains(Logs(body), l => l.Contains("0 run(s), 1 ignored"));
    }

    [Fact]
    public async Task BlobEvents_without_the_message_binding_is_400()
        => await AssertInvocationResponseAsync(await Fixture.Anonymous.PostAsync("/BlobEvents", Envelope("""{"other":"x"}""")), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Failures_answer_500_with_the_json_shape_so_the_host_retries()
    {
        await using var broken = await ApiFixture.StartWithUnreachableDependenciesAsync();
        var timer = await broken.Anonymous.PostAsync("/SyncTimer", Envelope("""{"timer":{"ScheduleStatus":null,"IsPastDue":false}}"""));
        var body = await AssertInvocationResponseAsync(timer, HttpStatusCode.InternalServerError);
        Assert.Contains(Logs(body), l => l.Contains("tick failed"));

        var message = JsonSerializer.Serialize(BlobCreated("labeled", $"{Guid.NewGuid()}/a.csv"));
        await AssertInvocationResponseAsync(await broken.Anonymous.PostAsync("/BlobEvents", Envelope($$"""{"message":{{message}}}""")), HttpStatusCode.InternalServerError);
    }
}
