using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DbxSync.Bench;

public static class Measure
{
    public const double MiB = 1024 * 1024;
    public const double MaxPeakMiB = 256;
    public const double MaxRawCopyRatio = 2;

    public static async Task<double> SecondsAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    public static long Long(JsonObject run, string name) => run[name]?.GetValue<long>() ?? 0;

    public static Limit Limit(string name, double seconds, double ours) => new(name, seconds, seconds > 0 ? ours / seconds : double.NaN);

    /// <summary>The targets every case shares: peak working set, and at most 2x the raw-copy limit when there is one.</summary>
    public static List<Target> CommonTargets(double peakMiB, double wall, IEnumerable<Limit> limits)
    {
        var targets = new List<Target> { new($"peak working set < {MaxPeakMiB:F0} MiB", peakMiB < MaxPeakMiB, F($"{peakMiB:F0} MiB")) };
        if (limits.FirstOrDefault(l => l.Name.StartsWith("raw", StringComparison.Ordinal)) is { } raw)
            targets.Add(new($"<= {MaxRawCopyRatio:F0}x the raw copy", raw.Ratio <= MaxRawCopyRatio, F($"{wall:F2} s vs {raw.Seconds:F2} s = {raw.Ratio:F2}x")));
        return targets;
    }

    public static Target AtLeast(string name, double value, double target, string unit)
        => new(F($"{name} >= {target:N0} {unit}"), value >= target, F($"{value:N0} {unit}"));

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
