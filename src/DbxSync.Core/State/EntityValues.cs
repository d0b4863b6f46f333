using System.Globalization;
using DbxSync.Core.Ports;

namespace DbxSync.Core.State;

/// <summary>Tolerant readers for entity properties: the store may hand back typed values or their string forms.</summary>
public static class EntityValues
{
    public static DateTimeOffset? Time(StateEntity e, string name) => e.Properties.TryGetValue(name, out var v) ? v switch
    {
        null => null,
        DateTimeOffset d => d,
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d,
        _ => null,
    } : null;

    public static long? Long(StateEntity e, string name) => e.Properties.TryGetValue(name, out var v) ? v switch
    {
        null => null,
        long l => l,
        int i => i,
        double d => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    } : null;

    public static int? Int(StateEntity e, string name) => Long(e, name) is { } l ? (int)l : null;

    public static bool Bool(StateEntity e, string name, bool fallback = false) => e.Properties.TryGetValue(name, out var v) ? v switch
    {
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        _ => fallback,
    } : fallback;
}
