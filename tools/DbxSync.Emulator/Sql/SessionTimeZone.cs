using System.Globalization;
using System.Text.RegularExpressions;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// The session time zone (the TIMEZONE configuration parameter,
/// https://docs.databricks.com/aws/en/sql/language-manual/parameters/timezone): a region id ('area/city'), a zone
/// offset ((+|-)HH, (+|-)HH:mm, (+|-)HH:mm:ss) or 'UTC'; the system default is UTC. Spark stores TIMESTAMP as an
/// instant and renders it in the session time zone when it becomes text (CAST AS STRING); unix_micros and the other
/// instant functions do not depend on it.
/// </summary>
public static partial class SessionTimeZone
{
    [GeneratedRegex(@"^(?<sign>[+-])(?<h>\d{2})(:(?<m>\d{2})(:(?<s>\d{2}))?)?$")]
    private static partial Regex OffsetPattern();

    public static bool TryResolve(string text, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.Equals(text, "UTC", StringComparison.OrdinalIgnoreCase)) return true;
        if (OffsetPattern().Match(text) is { Success: true } m)
        {
            var offset = new TimeSpan(int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture),
                m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0,
                m.Groups["s"].Success ? int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0);
            if (offset > TimeSpan.FromHours(18)) return false;
            if (m.Groups["sign"].Value == "-") offset = -offset;
            zone = TimeZoneInfo.CreateCustomTimeZone(text, offset, text, text);
            return true;
        }
        if (!text.Contains('/')) return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(text);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>True for UTC and its aliases, where timestamps print as stored.</summary>
    public static bool IsUtc(string? text) => text is null || string.Equals(text, "UTC", StringComparison.OrdinalIgnoreCase) || text is "+00" or "+00:00" or "-00:00" or "Etc/UTC";

    /// <summary>The local wall-clock time of a stored instant ('yyyy-MM-ddTHH:mm:ss.ffffffZ') in <paramref name="zone"/>, in storage form.</summary>
    public static string ToLocalStorage(string storage, string zone)
    {
        if (!TryResolve(zone, out var info)) throw new EngineException("INVALID_CONF_VALUE.TIME_ZONE", "22022", $"The value '{zone}' in the config \"spark.sql.session.timeZone\" is invalid.");
        var instant = DateTimeOffset.Parse(storage, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        var local = TimeZoneInfo.ConvertTime(instant, info);
        return local.DateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>unix_micros: microseconds since 1970-01-01 00:00:00 UTC of a stored instant.</summary>
    public static long UnixMicros(string storage)
    {
        var instant = DateTimeOffset.Parse(storage, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    }
}
