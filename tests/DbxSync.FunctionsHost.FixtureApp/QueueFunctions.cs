using Microsoft.Azure.Functions.Worker;

namespace DbxSync.FunctionsHost.FixtureApp;

public sealed class QueueFunctions(Journal journal)
{
    /// <summary>Reports what it got; a message containing "fail" throws, to exercise retries and the poison queue.</summary>
    [Function("OnQueueMessage")]
    public async Task OnQueueMessage([QueueTrigger("%FIXTURE_QUEUE%")] string message, string? orderId, FunctionContext context)
    {
        var data = context.BindingContext.BindingData;
        await journal.WriteAsync("queue", new
        {
            message,
            orderId,
            id = data["Id"]?.ToString(),
            dequeueCount = data["DequeueCount"]?.ToString(),
            hasPopReceipt = data.ContainsKey("PopReceipt"),
            hasInsertionTime = data.ContainsKey("InsertionTime"),
            hasExpirationTime = data.ContainsKey("ExpirationTime"),
            hasNextVisibleTime = data.ContainsKey("NextVisibleTime"),
            queueTrigger = data["QueueTrigger"]?.ToString(),
        });
        if (message.Contains("fail", StringComparison.Ordinal))
            throw new InvalidOperationException("fixture failure for " + orderId);
    }

    /// <summary>Holds its message for holdSeconds, reporting when it starts and ends: longer than the host's processing window.</summary>
    [Function("HoldQueueMessage")]
    public async Task HoldQueueMessage([QueueTrigger("%FIXTURE_HOLD_QUEUE%")] string message, string orderId, double holdSeconds, FunctionContext context)
    {
        var dequeueCount = context.BindingContext.BindingData["DequeueCount"]?.ToString();
        await journal.WriteAsync("hold", new { orderId, dequeueCount, phase = "start" });
        await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
        await journal.WriteAsync("hold", new { orderId, dequeueCount, phase = "end" });
    }

    /// <summary>Does nothing: the benchmark measures the host's queue throughput with it.</summary>
    [Function("NoOpQueue")]
    public void NoOpQueue([QueueTrigger("%FIXTURE_NOOP_QUEUE%")] string message)
    {
    }
}
