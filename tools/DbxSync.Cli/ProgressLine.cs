using System.Globalization;
using System.Text.Json.Nodes;

namespace DbxSync.Cli;

/// <summary>How ./dbxsync run words a run's progress: counts, bytes, rate and ETA, the same on a terminal bar and in log lines.</summary>
public static class ProgressLine
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The run record's progress (GET .../runs/{id}), or null while it has none.</summary>
    public static ProgressSample? Read(JsonObject run)
    {
        if (run["progress"] is not JsonObject p) return null;
        var at = p["updated_at"] is { } t && DateTimeOffset.TryParse((string?)t, Invariant, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTimeOffset.UtcNow;
        return new ProgressSample((string?)p["stage"] ?? "work", (string?)p["unit"] ?? "", (long?)p["done"] ?? 0, (long?)p["total"],
            (long?)p["bytes"] ?? 0, (long?)p["bytes_total"], at);
    }

    /// <summary>e.g. "export 120,000/200,000 rows · 6.1 MiB · 41,200 rows/s · ETA 2 s" (no ETA while it cannot be known).</summary>
    public static string Describe(ProgressRate rate, DateTimeOffset now, string? outcome = null)
    {
        if (rate.Last is not { } s) return outcome == "running" ? "running, no progress reported yet" : "queued";
        // Nothing counted yet and no total (a statement running on the warehouse): the stage alone says what it waits for.
        var parts = new List<string>
        {
            s.Done == 0 && s.Total is null ? s.Stage : $"{s.Stage} {Count(s.Done)}{(s.Total is { } total ? "/" + Count(total) : "")} {s.Unit}".TrimEnd(),
        };
        if (s.Bytes > 0 || s.BytesTotal is not null) parts.Add(Bytes(s.Bytes) + (s.BytesTotal is { } bt ? " of " + Bytes(bt) : ""));
        if (rate.ByBytes && rate.BytesPerSecond is > 0 and var bytes) parts.Add($"{Bytes((long)bytes)}/s");
        else if (rate.ItemsPerSecond is > 0 and var items) parts.Add($"{Count((long)Math.Round(items))} {s.Unit}/s");
        if (rate.Remaining(now) is { } left) parts.Add("ETA " + Duration(left));
        return string.Join(" · ", parts);
    }

    public static string Count(long n) => n.ToString("N0", Invariant);

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => (n / 1024.0).ToString("0.0", Invariant) + " KiB",
        < 1024L * 1024 * 1024 => (n / (1024.0 * 1024)).ToString("0.0", Invariant) + " MiB",
        _ => (n / (1024.0 * 1024 * 1024)).ToString("0.00", Invariant) + " GiB",
    };

    public static string Duration(TimeSpan t) => t.TotalSeconds switch
    {
        < 60 => $"{Math.Ceiling(t.TotalSeconds):0} s",
        < 3600 => $"{(int)t.TotalMinutes} min {t.Seconds:00} s",
        _ => $"{(int)t.TotalHours} h {t.Minutes:00} min",
    };
}
