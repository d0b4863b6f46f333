using System.Globalization;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// How many times the host delivers one sync-runs message (host.json maxDequeueCount), so RunSync can tell the runner
/// when a delivery is the last: a transient failure then opens the config's error episode (one alert) instead of
/// sending the message to sync-runs-poison, as every poll interval of a long outage otherwise would.
/// </summary>
public sealed record RunQueueDeliveries(int Max)
{
    /// <summary>Whether the delivery the function runs for is the last: its DequeueCount trigger metadata has reached <see cref="Max"/>.</summary>
    public bool IsFinal(FunctionContext context) => DequeueCount(context) >= Max;

    /// <summary>The queue trigger's DequeueCount (a JSON number, which the worker exposes as its text); 0 when absent.</summary>
    public static long DequeueCount(FunctionContext context)
        => context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value)
           && long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count : 0;
}
