using System.Collections.Concurrent;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// The WebJobs SDK's SharedQueueWatcher: a queue output binding that wrote a message tells the listeners of that
/// queue in the same host, which then poll at once instead of finishing their backoff (up to maxPollingInterval).
/// </summary>
public sealed class QueueMessageWatcher
{
    private readonly ConcurrentDictionary<string, Action[]> _listeners = new(StringComparer.OrdinalIgnoreCase);

    public void Register(string queueName, Action wake) => _listeners.AddOrUpdate(queueName, _ => [wake], (_, current) => [.. current, wake]);

    /// <summary>Wakes every listener of the queue; true when there was one.</summary>
    public bool Notify(string queueName)
    {
        if (!_listeners.TryGetValue(queueName, out var wakers))
            return false;
        foreach (var wake in wakers)
            wake();
        return true;
    }
}
