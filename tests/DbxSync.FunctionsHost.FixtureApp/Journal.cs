using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace DbxSync.FunctionsHost.FixtureApp;

/// <summary>
/// Where non-HTTP functions report what they received: one JSON message per invocation on the queue named by the
/// FIXTURE_JOURNAL_QUEUE setting, so the tests can assert exact inputs over real storage.
/// </summary>
public sealed class Journal(IConfiguration configuration)
{
    public async Task WriteAsync(string kind, object entry)
    {
        var client = new QueueClient(configuration["AzureWebJobsStorage"], configuration["FIXTURE_JOURNAL_QUEUE"]);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(JsonSerializer.Serialize(new { kind, entry }));
    }
}
