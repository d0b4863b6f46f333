using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DbxSync.Testing;

namespace DbxSync.FunctionsHost.Tests;

/// <summary>
/// One local host running the fixture app for the whole test run, on the shared Azurite, with function keys on.
/// Non-HTTP functions report what they received on a journal queue, collected here for the tests to wait on.
/// </summary>
public sealed class HostFixture : IAsyncLifetime
{
    public const string FunctionKey = "fixture-function-key";
    public const string MasterKey = "fixture-master-key";
    private readonly ConcurrentQueue<JsonElement> _journal = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _collector;

    public FunctionsHostInstance Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string StorageConnection { get; } = AzuriteInstance.Shared.ConnectionString;
    public string Queue { get; } = AzuriteInstance.UniqueName("fxq");
    public string NoOpQueue { get; } = AzuriteInstance.UniqueName("fxnoop");
    public string HoldQueue { get; } = AzuriteInstance.UniqueName("fxhold");

    /// <summary>The queue processing window this host runs with (--queue-window-seconds; 10 minutes in Azure).</summary>
    public static readonly TimeSpan QueueWindow = TimeSpan.FromSeconds(4);
    public string JournalQueue { get; } = AzuriteInstance.UniqueName("fxjournal");
    public string HostId { get; } = AzuriteInstance.UniqueName("fxhost");

    /// <summary>The schedule status seeded for MissedTick before start: its Next lies in the past.</summary>
    public static readonly DateTime MissedLast = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Local);
    public static readonly DateTime MissedNext = new(2021, 1, 1, 0, 0, 0, DateTimeKind.Local);

    public static string AppDirectory => FunctionsHostInstance.ProjectOutput("tests/DbxSync.FunctionsHost.FixtureApp");

    public async Task InitializeAsync()
    {
        var journal = new QueueClient(StorageConnection, JournalQueue);
        await journal.CreateIfNotExistsAsync();
        var hosts = new BlobContainerClient(StorageConnection, "azure-webjobs-hosts");
        await hosts.CreateIfNotExistsAsync();
        await hosts.GetBlobClient($"timers/{HostId}/Host.Functions.MissedTick/status")
            .UploadAsync(BinaryData.FromString($"{{\"Last\":\"{MissedLast:O}\",\"Next\":\"{MissedNext:O}\",\"LastUpdated\":\"{MissedLast:O}\"}}"), overwrite: true);
        Host = await FunctionsHostInstance.GetSharedAsync(AppDirectory, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = StorageConnection,
            ["AzureFunctionsWebHost__hostid"] = HostId,
            ["FIXTURE_QUEUE"] = Queue,
            ["FIXTURE_NOOP_QUEUE"] = NoOpQueue,
            ["FIXTURE_HOLD_QUEUE"] = HoldQueue,
            ["FIXTURE_JOURNAL_QUEUE"] = JournalQueue,
            // Once a year, so the tests see exactly the runOnStartup invocation.
            ["FIXTURE_TIMER_SCHEDULE"] = "0 0 0 1 1 *",
        }, ["--function-key", FunctionKey, "--master-key", MasterKey, "--blob-scan-seconds", "0.5", "--grace-seconds", "5",
            "--queue-window-seconds", QueueWindow.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Http = new HttpClient { BaseAddress = Host.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        _collector = CollectAsync(journal, _stop.Token);
    }

    /// <summary>Waits for journal entries of a kind that match, until at least <paramref name="count"/> arrived.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForJournalAsync(string kind, Func<JsonElement, bool> match, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var found = Entries(kind, match);
            if (found.Count >= count)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Only {found.Count} of {count} '{kind}' journal entries arrived. Host log tail:{Environment.NewLine}{string.Join(Environment.NewLine, Host.Output.TakeLast(40))}");
            await Task.Delay(100);
        }
    }

    public IReadOnlyList<JsonElement> Entries(string kind, Func<JsonElement, bool> match) =>
        _journal.Where(e => e.GetProperty("kind").GetString() == kind).Select(e => e.GetProperty("entry")).Where(match).ToList();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_collector is not null)
            await _collector;
        Http.Dispose();
    }

    private async Task CollectAsync(QueueClient journal, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var messages = (await journal.ReceiveMessagesAsync(32, cancellationToken: cancellationToken)).Value;
                foreach (var message in messages)
                {
                    _journal.Enqueue(JsonDocument.Parse(message.MessageText).RootElement.Clone());
                    await journal.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                }

                if (messages.Length == 0)
                    await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "local functions host";
}
