using System.Globalization;
using System.Text.RegularExpressions;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// The text forms Databricks' ANSI CAST accepts for DATE and TIMESTAMP
/// (https://docs.databricks.com/en/sql/language-manual/functions/cast.html): DATE from `yyyy`, `yyyy-[m]m`,
/// `yyyy-[m]m-[d]d` optionally followed by ' ' or 'T' and anything; TIMESTAMP from the same date forms optionally
/// followed by ' ' or 'T' and `[h]h:[m]m[:[s]s[.fraction]]` and a zone (Z, UTC/GMT/UT, (+|-)hh[:mm], or a region
/// id). Nothing else: not `1/2/2024`, not `Jan 2 2024`, which .NET's parser would take but the MERGE's CAST refuses.
/// Up to nine fraction digits are accepted (assumed: Spark keeps microseconds and drops the rest); the time-only
/// forms (today's date) are refused as a labeled value, on purpose.
/// </summary>
public static partial class AnsiDateTimeText
{
    [GeneratedRegex(@"^\s*(?<y>\d{4})(-(?<m>\d{1,2})(-(?<d>\d{1,2})([ T].*)?)?)?\s*$", RegexOptions.Singleline)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^\s*(?<y>\d{4})(-(?<m>\d{1,2})(-(?<d>\d{1,2})([ T](?<h>\d{1,2}):(?<mi>\d{1,2})(:(?<s>\d{1,2})(\.(?<f>\d{1,9}))?)?)?\s*(?<z>Z|UTC|GMT|UT|(UTC|GMT|UT)?[+-]\d{1,2}(:?\d{2}(:?\d{2})?)?|[A-Za-z_]+/[A-Za-z_+\-/]+)?)?)?\s*$")]
    private static partial Regex TimestampPattern();

    /// <summary>A date as CAST(text AS DATE) reads it, or null when the cast would fail.</summary>
    public static DateOnly? ParseDate(string text)
    {
        var m = DatePattern().Match(text);
        if (!m.Success) return null;
        return MakeDate(m) is { } date ? date : null;
    }

    /// <summary>
    /// A timestamp as CAST(text AS TIMESTAMP) reads it, as an instant assuming UTC where the text has no zone (the
    /// canonical form only serves to compare keys), or null when the cast would fail.
    /// </summary>
    public static DateTimeOffset? ParseTimestamp(string text)
    {
        var m = TimestampPattern().Match(text);
        if (!m.Success || MakeDate(m) is not { } date) return null;
        int Part(string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        int hour = Part("h"), minute = Part("mi"), second = Part("s");
        if (hour > 23 || minute > 59 || second > 59) return null;
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value.PadRight(7, '0')[..7] : "0";
        var ticks = long.Parse(fraction, CultureInfo.InvariantCulture);
        var local = date.ToDateTime(new TimeOnly(hour, minute, second)).AddTicks(ticks);
        var offset = m.Groups["z"].Success ? Offset(m.Groups["z"].Value, local) : TimeSpan.Zero;
        if (offset is null) return null;
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset.Value);
    }

    private static DateOnly? MakeDate(Match m)
    {
        var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        var month = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 1;
        var day = m.Groups["d"].Success ? int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture) : 1;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    private static TimeSpan? Offset(string zone, DateTime local)
    {
        if (zone is "Z" or "UTC" or "GMT" or "UT") return TimeSpan.Zero;
        var text = zone.StartsWith("UTC", StringComparison.Ordinal) || zone.StartsWith("GMT", StringComparison.Ordinal) ? zone[3..]
                 : zone.StartsWith("UT", StringComparison.Ordinal) ? zone[2..] : zone;
        if (text.Length > 0 && text[0] is '+' or '-')
        {
            var digits = text[1..].Replace(":", "");
            if (digits.Length is not (1 or 2 or 4 or 6)) return null;
            var hours = int.Parse(digits.Length <= 2 ? digits : digits[..2], CultureInfo.InvariantCulture);
            var minutes = digits.Length >= 4 ? int.Parse(digits[2..4], CultureInfo.InvariantCulture) : 0;
            if (hours > 18 || minutes > 59) return null;
            var span = new TimeSpan(hours, minutes, 0);
            return text[0] == '-' ? -span : span;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(local);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
