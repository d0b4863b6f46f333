using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Rpc;
using DbxSync.FunctionsHost.Worker;
using NCrontab;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>Builds timer listeners with the shared settings, invoker and host id.</summary>
public sealed class TimerTriggerFactory(AppSettings settings, FunctionInvoker invoker, BlobTriggerService blobs, ILoggerFactory loggers)
{
    public TimerTrigger Create(FunctionDescriptor function) =>
        new(function, settings, invoker, blobs.HostId, loggers.CreateLogger("Host.Timer"));
}

/// <summary>
/// A timer trigger as the timer extension runs it: NCRONTAB (six fields with seconds, or five) or a TimeSpan schedule
/// after %Setting% resolution, in the host's local time; runOnStartup; and with useMonitor the schedule status in
/// azure-webjobs-hosts/timers/&lt;hostId&gt;/&lt;function&gt;/status, from which a missed occurrence runs once with IsPastDue.
/// </summary>
public sealed class TimerTrigger(FunctionDescriptor function, AppSettings settings, FunctionInvoker invoker, string hostId, ILogger log)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var expression = settings.Resolve(function.TriggerString("schedule") ?? throw new InvalidOperationException($"{function.Name}: timerTrigger without schedule."));
        var schedule = Schedule.Parse(expression);
        var now = DateTime.Now;
        // As in the timer extension: the monitor is on unless turned off, but off by default for sub-minute schedules.
        var useMonitor = function.TriggerString("useMonitor") is { } flag ? bool.Parse(flag) : schedule.Next(schedule.Next(now)) - schedule.Next(now) >= TimeSpan.FromMinutes(1);
        var status = useMonitor ? StatusBlob() : null;
        var current = status is null ? null : await ReadStatusAsync(status, cancellationToken);
        log.LogInformation("{Function}: schedule '{Schedule}', next run {Next:O}{Monitor}.", function.Name, expression, schedule.Next(now), useMonitor ? ", monitored" : "");

        var isPastDue = current is not null && now > current.Next;
        current ??= new TimerStatus(default, schedule.Next(now), now);
        if (isPastDue || function.TriggerFlag("runOnStartup"))
            current = await InvokeAsync(current, now, isPastDue, schedule, status, cancellationToken);

        while (!cancellationToken.IsCancellationRequested)
        {
            var next = schedule.Next(DateTime.Now);
            // In steps of at most an hour: Task.Delay has an upper limit, and the clock may be changed meanwhile.
            while (next - DateTime.Now is var wait && wait > TimeSpan.Zero)
                await Task.Delay(wait < TimeSpan.FromHours(1) ? wait : TimeSpan.FromHours(1), cancellationToken);
            current = await InvokeAsync(current with { Next = next }, next, false, schedule, status, cancellationToken);
        }
    }

    private async Task<TimerStatus> InvokeAsync(TimerStatus status, DateTime occurrence, bool isPastDue, Schedule schedule, BlobClient? statusBlob, CancellationToken cancellationToken)
    {
        try
        {
            var response = await invoker.InvokeAsync(function.Name, (_, request) =>
            {
                // The line the real host logs for each timer invocation (FunctionExecutor), one per fired occurrence.
                log.LogInformation("Executing 'Functions.{Function}' (Reason='Timer fired at {Occurrence:O}', Id={InvocationId})",
                    function.Name, occurrence, request.InvocationId);
                // Newtonsoft's serialisation of the WebJobs TimerInfo: PascalCase, ScheduleStatus null without a monitor.
                request.InputData.Add(new ParameterBinding
                {
                    Name = function.TriggerName,
                    Data = TypedDataFactory.Json(new
                    {
                        Schedule = new { AdjustForDST = true },
                        ScheduleStatus = statusBlob is null ? null : status,
                        IsPastDue = isPastDue,
                    }),
                });
                request.TriggerMetadata["TimerTrigger"] = TypedDataFactory.String(DateTime.Now.ToString(CultureInfo.CurrentCulture));
            }, cancellationToken);
            if (!response.Succeeded())
                log.LogWarning("{Function}: timer invocation failed: {Error}", function.Name, response.Error());
        }
        catch (WorkerUnavailableException exception)
        {
            log.LogWarning("{Function}: timer invocation failed: {Message}", function.Name, exception.Message);
        }

        var updated = new TimerStatus(occurrence, schedule.Next(DateTime.Now), DateTime.Now);
        if (statusBlob is not null)
        {
            try
            {
                await statusBlob.UploadAsync(BinaryData.FromObjectAsJson(updated), overwrite: true, CancellationToken.None);
            }
            catch (RequestFailedException exception)
            {
                log.LogWarning("{Function}: could not record the schedule status: {Message}", function.Name, exception.Message);
            }
        }

        return updated;
    }

    private BlobClient StatusBlob() =>
        new BlobContainerClient(settings.StorageConnection(null), BlobTriggerService.HostsContainer).GetBlobClient($"timers/{hostId}/{function.FullName}/status");

    private async Task<TimerStatus?> ReadStatusAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToObjectFromJson<TimerStatus>();
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            log.LogWarning("{Function}: unreadable schedule status in {Blob}; starting afresh.", function.Name, blob.Name);
            return null;
        }
    }

    /// <summary>The status the monitor keeps (Last, Next, LastUpdated), as in the timer extension's ScheduleStatus.</summary>
    public sealed record TimerStatus(DateTime Last, DateTime Next, DateTime LastUpdated);

    /// <summary>A cron expression or a constant interval.</summary>
    private sealed class Schedule
    {
        private CrontabSchedule? _cron;
        private TimeSpan _interval;

        public static Schedule Parse(string expression)
        {
            if (!expression.Contains(' ') && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
                return new Schedule { _interval = interval };
            var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return new Schedule { _cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 }) };
        }

        public DateTime Next(DateTime after) => _cron?.GetNextOccurrence(after) ?? after + _interval;
    }
}
