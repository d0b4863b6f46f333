using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Spark semantics SQLite lacks (validating casts, Java number formatting, NULL-skipping greatest/least),
/// registered as SQLite functions on every connection the engine opens.
/// </summary>
public static class SqliteFunctions
{
    private static readonly ConcurrentDictionary<string, SqlType> TypeCache = new(StringComparer.Ordinal);

    /// <summary>
    /// Microsoft.Data.Sqlite reduces an exception thrown inside a function to a message; keeping the original
    /// here lets the engine rethrow the Databricks error class. SQLite calls functions on the stepping thread.
    /// </summary>
    [ThreadStatic] private static EngineException? _lastError;

    public static EngineException? TakeLastError()
    {
        var error = _lastError;
        _lastError = null;
        return error;
    }

    internal static SqlType TypeOf(string text) => TypeCache.GetOrAdd(text, t => SqlParser.ParseColumnList("x " + t)[0].Type);

    internal static object? Guard(Func<object?> body)
    {
        try { return body(); }
        catch (EngineException error)
        {
            _lastError = error;
            throw;
        }
    }

    public static void Register(SqliteConnection connection)
    {
        connection.CreateCollation(SqlType.Utf8Lcase, (a, b) => SqlType.CompareUtf8Lcase(a, b));
        connection.CreateFunction("dbx_cast", (object? value, string from, string to) =>
            Guard(() => SqlValueConverter.Cast(value, TypeOf(from), TypeOf(to))), isDeterministic: true);
        connection.CreateFunction("dbx_try_cast", (object? value, string from, string to) =>
        {
            try { return SqlValueConverter.Cast(value, TypeOf(from), TypeOf(to)); }
            catch (EngineException) { return null; }
        }, isDeterministic: true);
        ComplexFunctions.Register(connection);
        connection.CreateFunction("dbx_fmod", (object? a, object? b) =>
            a is null || b is null ? null : (object)(Convert.ToDouble(a) % Convert.ToDouble(b)), isDeterministic: true);
        connection.CreateFunction("dbx_round", (object? value, long digits) =>
            value is null ? null : (object)(double)Math.Round((decimal)Convert.ToDouble(value), (int)Math.Clamp(digits, 0, 28), MidpointRounding.AwayFromZero), isDeterministic: true);
        connection.CreateFunction("dbx_floor", (object? value) => value is null ? null : (object)(long)Math.Floor(Convert.ToDouble(value)), isDeterministic: true);
        connection.CreateFunction("dbx_ceil", (object? value) => value is null ? null : (object)(long)Math.Ceiling(Convert.ToDouble(value)), isDeterministic: true);
        connection.CreateFunction("dbx_greatest", (object?[] values) => Extreme(values, greatest: true), isDeterministic: true);
        connection.CreateFunction("dbx_least", (object?[] values) => Extreme(values, greatest: false), isDeterministic: true);
        connection.CreateFunction("dbx_uuid", () => Guid.NewGuid().ToString(), isDeterministic: false);
        connection.CreateFunction("dbx_unix_micros", (string? value) => value is null ? null : (object)SessionTimeZone.UnixMicros(value), isDeterministic: true);
        connection.CreateFunction("dbx_timestamp_text", (string? value, string zone) =>
            Guard(() => value is null ? null : SqlValueConverter.FormatAsString(SessionTimeZone.ToLocalStorage(value, zone), SqlType.Timestamp)), isDeterministic: true);
        connection.CreateFunction("dbx_md5", (string? value) =>
            value is null ? null : Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value))), isDeterministic: true);
        connection.CreateFunction("dbx_hash", (object?[] values) =>
        {
            var hash = 42;
            foreach (var value in values) hash = HashCode.Combine(hash, value?.ToString());
            return (long)hash;
        }, isDeterministic: false);
    }

    private static object? Extreme(object?[] values, bool greatest)
    {
        object? best = null;
        foreach (var value in values)
        {
            if (value is null or DBNull) continue;
            if (best == null) { best = value; continue; }
            var comparison = value is string || best is string
                ? string.CompareOrdinal(Convert.ToString(value), Convert.ToString(best))
                : Convert.ToDouble(value).CompareTo(Convert.ToDouble(best));
            if (greatest ? comparison > 0 : comparison < 0) best = value;
        }
        return best;
    }
}
