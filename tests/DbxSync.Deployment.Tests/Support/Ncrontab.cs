namespace DbxSync.Deployment.Tests.Support;

/// <summary>The 6-field NCRONTAB the Functions timer trigger accepts: second minute hour day month day-of-week.</summary>
public static class Ncrontab
{
    private static readonly (string Field, int Min, int Max, string[] Names)[] Fields =
    [
        ("second", 0, 59, []),
        ("minute", 0, 59, []),
        ("hour", 0, 23, []),
        ("day", 1, 31, []),
        ("month", 1, 12, ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
        ("day-of-week", 0, 6, ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
    ];

    public static bool IsValid(string expression, out string reason)
    {
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            reason = $"has {parts.Length} fields; NCRONTAB needs 6 (a leading seconds field)";
            return false;
        }
        for (var f = 0; f < 6; f++)
        {
            foreach (var item in parts[f].Split(','))
            {
                if (!IsValidItem(item, Fields[f].Min, Fields[f].Max, Fields[f].Names))
                {
                    reason = $"{Fields[f].Field} field '{parts[f]}' is not valid ({Fields[f].Min}-{Fields[f].Max})";
                    return false;
                }
            }
        }
        reason = "";
        return true;
    }

    private static bool IsValidItem(string item, int min, int max, string[] names)
    {
        var slash = item.Split('/');
        if (slash.Length > 2) return false;
        if (slash.Length == 2 && !(int.TryParse(slash[1], out var step) && step > 0)) return false;
        if (slash[0] == "*") return true;
        var range = slash[0].Split('-');
        if (range.Length > 2) return false;
        return range.All(value => IsValue(value, min, max, names));
    }

    private static bool IsValue(string value, int min, int max, string[] names)
    {
        if (int.TryParse(value, out var number)) return number >= min && number <= max;
        var lower = value.ToLowerInvariant();
        return names.Any(n => lower == n || lower.Length > 3 && lower.StartsWith(n, StringComparison.Ordinal));
    }
}
