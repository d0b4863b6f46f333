namespace DbxSync.Core.Runs;

/// <summary>
/// How long one run may take. A run must stop, record itself and let go of its lease before the Functions host
/// kills it at functionTimeout, so the limit is functionTimeout less a margin. Flex Consumption allows an unbounded
/// functionTimeout but still recycles instances (scale-in, platform updates), so the limit is capped: long work goes
/// out in parts that later runs continue (reference/azure-functions-hosting.md).
/// </summary>
public static class RunTimeLimit
{
    /// <summary>Longest limit, whatever functionTimeout says.</summary>
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(55);

    // After Cap: static fields initialize in order.
    /// <summary>The limit when nothing says otherwise: that of host.json's default 30-minute functionTimeout.</summary>
    public static readonly TimeSpan Default = FromFunctionTimeout(TimeSpan.FromMinutes(30));

    /// <summary>Margin left before functionTimeout: a tenth of it, at least 1 minute (recording the run, releasing the lease).</summary>
    public static TimeSpan MarginFor(TimeSpan functionTimeout)
        => TimeSpan.FromTicks(Math.Max(functionTimeout.Ticks / 10, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>
    /// The limit for a functionTimeout; null or negative (host.json "-1") means unbounded and gives <see cref="Cap"/>.
    /// A timeout shorter than twice the margin keeps half of it.
    /// </summary>
    public static TimeSpan FromFunctionTimeout(TimeSpan? functionTimeout)
    {
        if (functionTimeout is not { } timeout || timeout <= TimeSpan.Zero) return Cap;
        var margin = MarginFor(timeout);
        var limit = timeout > margin * 2 ? timeout - margin : timeout / 2;
        return limit < Cap ? limit : Cap;
    }

    /// <summary>
    /// The configured limit: an explicit setting (positive, at most the derived limit, so a run still stops before the
    /// host kills it), else the limit derived from functionTimeout.
    /// </summary>
    public static TimeSpan Resolve(TimeSpan? setting, TimeSpan? functionTimeout)
    {
        var derived = FromFunctionTimeout(functionTimeout);
        if (setting is not { } explicitLimit) return derived;
        if (explicitLimit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(setting), explicitLimit, "The run time limit must be positive.");
        return explicitLimit < derived ? explicitLimit : derived;
    }
}
