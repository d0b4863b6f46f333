using System.Globalization;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Converts between the engine's SQLite storage form and Spark semantics.
/// Storage: integers and BOOLEAN as INTEGER, DOUBLE/FLOAT/DECIMAL as REAL, DATE as 'yyyy-MM-dd',
/// TIMESTAMP as fixed-width UTC text 'yyyy-MM-ddTHH:mm:ss.ffffffZ' so text order equals time order.
/// </summary>
public static class SqlValueConverter
{
    private const string TimestampStorageFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string TimestampToStorage(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampStorageFormat, Invariant);

    /// <summary>Parses text (a parameter value, a CSV cell, a string being CAST) into the storage form of the target type.</summary>
    public static object? ParseText(string text, SqlType target)
    {
        var trimmed = text.Trim();
        switch (target.Kind)
        {
            case SqlTypeKind.String:
                return text;
            case SqlTypeKind.Void:
                return null;
            case SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt:
                if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, Invariant, out var integer)) return CheckIntegralRange(integer, SqlType.String, target, text);
                if (decimal.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var fractional) && fractional == decimal.Truncate(fractional))
                    return CheckIntegralRange((long)fractional, SqlType.String, target, text);
                throw EngineErrors.CastInvalidInput(text, SqlType.String, target);
            case SqlTypeKind.Double or SqlTypeKind.Float:
                if (double.TryParse(trimmed, NumberStyles.Float, Invariant, out var real)) return target.Kind == SqlTypeKind.Float ? (double)(float)real : real;
                return trimmed.ToLowerInvariant() switch
                {
                    "nan" => double.NaN,
                    "infinity" or "inf" or "+infinity" or "+inf" => double.PositiveInfinity,
                    "-infinity" or "-inf" => double.NegativeInfinity,
                    _ => throw EngineErrors.CastInvalidInput(text, SqlType.String, target),
                };
            case SqlTypeKind.Decimal:
                if (!decimal.TryParse(trimmed, NumberStyles.Float, Invariant, out var number)) throw EngineErrors.CastInvalidInput(text, SqlType.String, target);
                return FitDecimal(number, target, text, SqlType.String);
            case SqlTypeKind.Boolean:
                return trimmed.ToLowerInvariant() switch
                {
                    "true" or "t" or "yes" or "y" or "1" => 1L,
                    "false" or "f" or "no" or "n" or "0" => 0L,
                    _ => throw EngineErrors.CastInvalidInput(text, SqlType.String, target),
                };
            case SqlTypeKind.Date:
                return ParseDate(trimmed) ?? throw EngineErrors.CastInvalidInput(text, SqlType.String, target);
            case SqlTypeKind.Timestamp:
                return ParseTimestamp(trimmed) ?? throw EngineErrors.CastInvalidInput(text, SqlType.String, target);
            default:
                throw EngineErrors.CastInvalidInput(text, SqlType.String, target);
        }
    }

    private static string? ParseDate(string text)
    {
        if (DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-M-d", "yyyy-MM"], Invariant, DateTimeStyles.None, out var date))
            return date.ToString("yyyy-MM-dd", Invariant);
        var timestamp = ParseTimestamp(text);
        return timestamp?[..10];
    }

    private static string? ParseTimestamp(string text)
    {
        if (text.Length == 0) return null;
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
        if (DateTimeOffset.TryParse(text, Invariant, styles, out var value)) return TimestampToStorage(value);
        return null;
    }

    private static object CheckIntegralRange(long value, SqlType from, SqlType target, object original)
    {
        var (min, max) = target.Kind switch
        {
            SqlTypeKind.TinyInt => (sbyte.MinValue, sbyte.MaxValue),
            SqlTypeKind.SmallInt => (short.MinValue, short.MaxValue),
            SqlTypeKind.Int => (int.MinValue, (long)int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (value < min || value > max) throw EngineErrors.CastOverflow(Convert.ToString(original, Invariant) ?? "", from, target);
        return value;
    }

    private static double FitDecimal(decimal value, SqlType target, object original, SqlType from)
    {
        var rounded = Math.Round(value, target.Scale, MidpointRounding.AwayFromZero);
        var integerDigits = target.Precision - target.Scale;
        if (Math.Abs(decimal.Truncate(rounded)) >= Pow10(integerDigits))
            throw EngineErrors.CastOverflow(Convert.ToString(original, Invariant) ?? "", from, target);
        return (double)rounded;
    }

    private static decimal Pow10(int exponent)
    {
        if (exponent >= 28) return decimal.MaxValue;
        var result = 1m;
        for (var i = 0; i < exponent; i++) result *= 10;
        return result;
    }

    /// <summary>Spark CAST between two types, on storage values; throws the ANSI-mode errors.</summary>
    public static object? Cast(object? value, SqlType from, SqlType to)
    {
        if (value is null or DBNull) return null;
        if (from.IsComplex || to.IsComplex) return ComplexValues.Cast(value, from, to);
        if (to.Kind == SqlTypeKind.String) return FormatAsString(value, from);
        if (value is string text && from.Kind is SqlTypeKind.String or SqlTypeKind.Void) return ParseText(text, to);
        switch (to.Kind)
        {
            case SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt:
                return value switch
                {
                    long l => CheckIntegralRange(l, from, to, l),
                    double d when double.IsNaN(d) || double.IsInfinity(d) || d >= 9.3e18 || d <= -9.3e18 => throw EngineErrors.CastOverflow(FormatDouble(d), from, to),
                    double d => CheckIntegralRange((long)Math.Truncate(d), from, to, d),
                    string s => ParseText(s, to),
                    _ => throw EngineErrors.CastInvalidInput(Convert.ToString(value, Invariant) ?? "", from, to),
                };
            case SqlTypeKind.Double:
                return Convert.ToDouble(value, Invariant);
            case SqlTypeKind.Float:
                return (double)(float)Convert.ToDouble(value, Invariant);
            case SqlTypeKind.Decimal:
                var asDouble = Convert.ToDouble(value, Invariant);
                if (double.IsNaN(asDouble) || double.IsInfinity(asDouble) || Math.Abs(asDouble) > 7.9e28) throw EngineErrors.CastOverflow(FormatDouble(asDouble), from, to);
                return FitDecimal((decimal)asDouble, to, value, from);
            case SqlTypeKind.Boolean:
                return value switch
                {
                    long l => l != 0 ? 1L : 0L,
                    double d => d != 0 ? 1L : 0L,
                    _ => ParseText(Convert.ToString(value, Invariant)!, to),
                };
            case SqlTypeKind.Date:
                if (from.Kind == SqlTypeKind.Timestamp && value is string ts) return ts[..10];
                if (from.Kind == SqlTypeKind.Date) return value;
                break;
            case SqlTypeKind.Timestamp:
                if (from.Kind == SqlTypeKind.Date && value is string date) return date + "T00:00:00.000000Z";
                if (from.Kind == SqlTypeKind.Timestamp) return value;
                if (from.IsNumeric) return TimestampToStorage(DateTimeOffset.UnixEpoch.AddSeconds(Convert.ToDouble(value, Invariant)));
                break;
        }
        throw EngineErrors.DatatypeMismatch($"cannot cast {from.TypeText} to {to.TypeText}");
    }

    /// <summary>CAST(x AS STRING) text, which for dates/timestamps differs from the JSON_ARRAY encoding.</summary>
    public static string FormatAsString(object value, SqlType from) => from.Kind switch
    {
        SqlTypeKind.Timestamp when value is string ts => FormatTimestampAsString(ts),
        _ when from.IsComplex => ComplexValues.FormatAsString(value, from),
        _ => FormatCell(value, from)!,
    };

    private static string FormatTimestampAsString(string storage)
    {
        // Spark prints '2024-01-02 03:04:05' and only as many fraction digits as needed.
        var text = storage.Replace('T', ' ').TrimEnd('Z');
        if (text.Length > 19) text = text.TrimEnd('0').TrimEnd('.');
        return text;
    }

    /// <summary>The JSON_ARRAY cell encoding of a storage value of the given type.</summary>
    public static string? FormatCell(object? value, SqlType type)
    {
        if (value is null or DBNull) return null;
        switch (type.Kind)
        {
            case SqlTypeKind.Boolean:
                return value switch { long l => l != 0 ? "true" : "false", double d => d != 0 ? "true" : "false", string s => s, _ => value.ToString() };
            case SqlTypeKind.TinyInt or SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt:
                return value switch { long l => l.ToString(Invariant), double d => ((long)d).ToString(Invariant), _ => Convert.ToString(value, Invariant) };
            case SqlTypeKind.Double:
                return value is string sd ? sd : FormatDouble(Convert.ToDouble(value, Invariant));
            case SqlTypeKind.Float:
                return value is string sf ? sf : FormatFloat((float)Convert.ToDouble(value, Invariant));
            case SqlTypeKind.Decimal:
                if (value is string sdec) return sdec;
                var asDouble = Convert.ToDouble(value, Invariant);
                if (Math.Abs(asDouble) > 7.9e28) return asDouble.ToString("R", Invariant);
                return Math.Round((decimal)asDouble, type.Scale, MidpointRounding.AwayFromZero).ToString("F" + type.Scale, Invariant);
            case SqlTypeKind.Timestamp:
                return value is string ts && ts.Length >= 23 ? ts[..23] + "Z" : Convert.ToString(value, Invariant);
            case SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct or SqlTypeKind.Variant:
                return ComplexValues.ToResultJson(value, type);
            default:
                return value switch
                {
                    string s => s,
                    double d => FormatDouble(d),
                    long l => l.ToString(Invariant),
                    byte[] bytes => Convert.ToBase64String(bytes),
                    _ => Convert.ToString(value, Invariant),
                };
        }
    }

    /// <summary>Java's Double.toString, which Spark uses: "1.0", "1.5", "1.0E7", "1.0E-4".</summary>
    public static string FormatDouble(double value) => FormatJavaFloating(value, value.ToString("R", Invariant));

    public static string FormatFloat(float value) => FormatJavaFloating(value, value.ToString("R", Invariant));

    private static string FormatJavaFloating(double value, string shortest)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return 1 / value < 0 ? "-0.0" : "0.0";
        var (negative, digits, exponent) = Decompose(shortest);
        var sign = negative ? "-" : "";
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            // exponent = position of the decimal point relative to the first digit.
            string integerPart, fraction;
            if (exponent <= 0) { integerPart = "0"; fraction = new string('0', -exponent) + digits; }
            else if (exponent >= digits.Length) { integerPart = digits + new string('0', exponent - digits.Length); fraction = "0"; }
            else { integerPart = digits[..exponent]; fraction = digits[exponent..]; }
            return sign + integerPart + "." + fraction;
        }
        var mantissa = digits.Length == 1 ? digits + ".0" : digits[..1] + "." + digits[1..];
        return sign + mantissa + "E" + (exponent - 1).ToString(Invariant);
    }

    private static (bool Negative, string Digits, int Exponent) Decompose(string shortest)
    {
        var negative = shortest.StartsWith('-');
        var text = negative ? shortest[1..] : shortest;
        var exponentAdjust = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponentAdjust = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, Invariant);
            text = text[..e];
        }
        var dot = text.IndexOf('.');
        var integerDigits = dot < 0 ? text.Length : dot;
        var allDigits = text.Replace(".", "");
        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        if (digits.Length == 0) digits = "0";
        return (negative, digits, integerDigits - leadingZeros + exponentAdjust);
    }

    /// <summary>Converts a bound parameter's text into its storage value, failing like Databricks on malformed input.</summary>
    public static object? ParameterValue(EngineParameter parameter, SqlType type) =>
        parameter.Value is null ? null : ParseText(parameter.Value, type);

    public static object ToDbValue(object? value) => value ?? DBNull.Value;
}
