using System.Globalization;

namespace DbxSync.Emulator.Sql;

/// <summary>Translates Spark expressions to SQLite expressions with Spark's typing, casts and NULL rules.</summary>
public sealed partial class ExpressionTranslator(TranslationSession session)
{
    private static readonly HashSet<string> AggregateFunctions = new(StringComparer.OrdinalIgnoreCase) { "count", "min", "max", "sum", "avg", "mean", "count_if", "any_value", "first", "bool_or", "bool_and" };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static bool ContainsAggregate(SqlExpr? expr) => expr switch
    {
        null => false,
        FunctionExpr f when AggregateFunctions.Contains(f.Name) => true,
        FunctionExpr f => f.Arguments.Any(ContainsAggregate),
        UnaryExpr u => ContainsAggregate(u.Operand),
        BinaryExpr b => ContainsAggregate(b.Left) || ContainsAggregate(b.Right),
        IsNullExpr n => ContainsAggregate(n.Operand),
        InListExpr i => ContainsAggregate(i.Operand) || i.Items.Any(ContainsAggregate),
        LikeExpr l => ContainsAggregate(l.Operand) || ContainsAggregate(l.Pattern),
        BetweenExpr b => ContainsAggregate(b.Operand) || ContainsAggregate(b.Low) || ContainsAggregate(b.High),
        CastExpr c => ContainsAggregate(c.Operand),
        CaseExpr c => ContainsAggregate(c.Operand) || ContainsAggregate(c.Else) || c.Branches.Any(b => ContainsAggregate(b.When) || ContainsAggregate(b.Then)),
        _ => false,
    };

    /// <summary>The column name Spark derives for an unaliased select expression.</summary>
    public static string DisplayName(SqlExpr expr) => expr switch
    {
        ColumnExpr c => c.Name,
        LiteralExpr { Value: null } => "NULL",
        LiteralExpr { Value: bool b } => b ? "true" : "false",
        LiteralExpr { Value: string s } => s,
        LiteralExpr l => Convert.ToString(l.Value, Invariant) ?? "NULL",
        ParameterExpr p => p.Name,
        FunctionExpr { CountStar: true } => "count(1)",
        FunctionExpr f => $"{f.Name}({(f.Distinct ? "DISTINCT " : "")}{string.Join(", ", f.Arguments.Select(DisplayName))})",
        CastExpr c => $"CAST({DisplayName(c.Operand)} AS {c.Target.TypeText})",
        UnaryExpr { Operator: "NOT" } u => $"(NOT {DisplayName(u.Operand)})",
        UnaryExpr u => $"({u.Operator}{DisplayName(u.Operand)})",
        BinaryExpr b => $"({DisplayName(b.Left)} {b.Operator} {DisplayName(b.Right)})",
        IsNullExpr n => $"({DisplayName(n.Operand)} IS {(n.Negated ? "NOT " : "")}NULL)",
        CaseExpr => "CASE WHEN ... END",
        WindowExpr w => DisplayName(w.Function) + " OVER (...)",
        _ => ComplexDisplayName(expr),
    };

    public TranslatedExpr Translate(SqlExpr expr, Scope scope)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                return TranslateLiteral(literal);
            case ParameterExpr parameter:
            {
                var bound = session.GetParameter(parameter.Name);
                var type = string.IsNullOrWhiteSpace(bound.Type) ? SqlType.String : SqlParser.ParseColumnList("x " + bound.Type)[0].Type;
                RequireScalarParameter(parameter.Name, type);
                return new TranslatedExpr(session.BindValue(SqlValueConverter.ParameterValue(bound, type)), type, Constant: true);
            }
            case ColumnExpr column:
                return TranslateColumn(column, scope);
            case StarExpr:
                throw EngineErrors.Syntax("*");
            case UnaryExpr { Operator: "NOT" } not:
                return new TranslatedExpr($"(NOT {TranslateCondition(not.Operand, scope)})", SqlType.Boolean);
            case UnaryExpr negate:
            {
                var operand = Translate(negate.Operand, scope);
                RequireNumeric(operand, "-");
                return new TranslatedExpr($"(-{operand.Sql})", operand.Type);
            }
            case BinaryExpr binary:
                return TranslateBinary(binary, scope);
            case IsNullExpr isNull:
                return new TranslatedExpr($"({Translate(isNull.Operand, scope).Sql} IS {(isNull.Negated ? "NOT " : "")}NULL)", SqlType.Boolean);
            case InListExpr inList:
            {
                var operand = Translate(inList.Operand, scope);
                var items = inList.Items.Select(i => Coerce(Translate(i, scope), operand.Type)).Select(i => i.Sql);
                return new TranslatedExpr($"({operand.Sql} {(inList.Negated ? "NOT " : "")}IN ({string.Join(", ", items)}))", SqlType.Boolean);
            }
            case LikeExpr like:
            {
                var operand = CastTo(Translate(like.Operand, scope), SqlType.String);
                var pattern = CastTo(Translate(like.Pattern, scope), SqlType.String);
                return new TranslatedExpr($"({operand.Sql} {(like.Negated ? "NOT " : "")}LIKE {pattern.Sql} ESCAPE '\\')", SqlType.Boolean);
            }
            case BetweenExpr between:
            {
                var operand = Translate(between.Operand, scope);
                var low = Coerce(Translate(between.Low, scope), operand.Type);
                var high = Coerce(Translate(between.High, scope), operand.Type);
                return new TranslatedExpr($"({operand.Sql} {(between.Negated ? "NOT " : "")}BETWEEN {low.Sql} AND {high.Sql})", SqlType.Boolean);
            }
            case CastExpr cast:
                return CastTo(Translate(cast.Operand, scope), cast.Target, cast.Try);
            case CaseExpr caseExpr:
                return TranslateCase(caseExpr, scope);
            case FunctionExpr function:
                return TranslateFunction(function, scope);
            case WindowExpr window:
                return TranslateWindow(window, scope);
            default:
                return TranslateComplexExpression(expr, scope);
        }
    }

    /// <summary>
    /// Ranking window functions, which return INT in Spark
    /// (https://docs.databricks.com/en/sql/language-manual/functions/row_number.html); SQLite has the same ones and the
    /// same default NULL ordering (first when ascending, last when descending).
    /// </summary>
    private TranslatedExpr TranslateWindow(WindowExpr window, Scope scope)
    {
        var name = window.Function.Name.ToLowerInvariant();
        if (name is not ("row_number" or "rank" or "dense_rank")) throw EngineErrors.Unsupported($"window function {name} in the emulator");
        if (window.Function.Arguments.Count != 0)
            throw new EngineException("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605", $"The `{name}` requires 0 parameters but the actual number is {window.Function.Arguments.Count}.");
        if (window.OrderBy.Count == 0)
            throw new EngineException("MISSING_WINDOW_SPECIFICATION", "42P20", $"Window function {name}() requires an OVER clause with ORDER BY.");
        var over = new List<string>();
        if (window.PartitionBy.Count > 0)
            over.Add("PARTITION BY " + string.Join(", ", window.PartitionBy.Select(p => Translate(p, scope).Sql)));
        over.Add("ORDER BY " + string.Join(", ", window.OrderBy.Select(o => Translate(o.Expression, scope).Sql + (o.Descending ? " DESC" : " ASC")
            + (o.NullsFirst switch { true => " NULLS FIRST", false => " NULLS LAST", _ => "" }))));
        return new TranslatedExpr($"{name.ToUpperInvariant()}() OVER ({string.Join(" ", over)})", SqlType.Int);
    }

    /// <summary>A predicate; Spark requires BOOLEAN where SQLite would accept anything.</summary>
    public string TranslateCondition(SqlExpr expr, Scope scope)
    {
        var translated = Translate(expr, scope);
        if (translated.Type.Kind is not (SqlTypeKind.Boolean or SqlTypeKind.Void))
            throw EngineErrors.DatatypeMismatch($"the condition {DisplayName(expr)} must be BOOLEAN, not {translated.Type.TypeText}");
        return translated.Sql;
    }

    private TranslatedExpr TranslateLiteral(LiteralExpr literal) => literal.Value switch
    {
        null => new TranslatedExpr("NULL", SqlType.Void, true),
        bool b => new TranslatedExpr(b ? "1" : "0", SqlType.Boolean, true),
        long l => new TranslatedExpr(l.ToString(Invariant), literal.Type, true),
        decimal d => new TranslatedExpr(session.BindValue((double)d), literal.Type, true),
        double d => new TranslatedExpr(session.BindValue(d), literal.Type, true),
        string s => new TranslatedExpr(QuoteString(s), SqlType.String, true),
        _ => throw EngineErrors.Unsupported("literal " + literal.Value),
    };

    public static string QuoteString(string value) => "'" + value.Replace("'", "''") + "'";

    private static void RequireNumeric(TranslatedExpr expr, string op)
    {
        if (!expr.Type.IsNumeric && expr.Type.Kind != SqlTypeKind.Void)
            throw EngineErrors.DatatypeMismatch($"the operator {op} requires numeric input, not {expr.Type.TypeText}");
    }

    private TranslatedExpr TranslateBinary(BinaryExpr binary, Scope scope)
    {
        switch (binary.Operator)
        {
            case "AND" or "OR":
                return new TranslatedExpr($"({TranslateCondition(binary.Left, scope)} {binary.Operator} {TranslateCondition(binary.Right, scope)})", SqlType.Boolean);
            case "||":
                return TranslateFunction(new FunctionExpr("concat", [binary.Left, binary.Right]), scope);
            case "IS" or "IS NOT":
                return new TranslatedExpr($"({Translate(binary.Left, scope).Sql} {binary.Operator} {Translate(binary.Right, scope).Sql})", SqlType.Boolean);
        }

        var left = Translate(binary.Left, scope);
        var right = Translate(binary.Right, scope);
        switch (binary.Operator)
        {
            case "=" or "<>" or "<" or "<=" or ">" or ">=" or "<=>":
            {
                (left, right) = CoerceForComparison(left, right);
                var op = binary.Operator == "<=>" ? "IS" : binary.Operator;
                return new TranslatedExpr($"({left.Sql} {op} {right.Sql})", SqlType.Boolean);
            }
            case "+" or "-" or "*":
            {
                (left, right) = NumericOperands(left, right, binary.Operator);
                var type = ArithmeticType(left.Type, right.Type, binary.Operator);
                return new TranslatedExpr($"({left.Sql} {binary.Operator} {right.Sql})", type);
            }
            case "/":
            {
                (left, right) = NumericOperands(left, right, "/");
                var type = left.Type.Kind == SqlTypeKind.Decimal || right.Type.Kind == SqlTypeKind.Decimal
                    ? SqlType.Decimal(38, Math.Max(6, Math.Max(left.Type.Scale, right.Type.Scale)))
                    : SqlType.Double;
                return new TranslatedExpr($"(CAST({left.Sql} AS REAL) / {right.Sql})", type);
            }
            case "DIV":
                (left, right) = NumericOperands(left, right, "div");
                return new TranslatedExpr($"CAST(CAST({left.Sql} AS REAL) / {right.Sql} AS INTEGER)", SqlType.BigInt);
            case "%":
            {
                (left, right) = NumericOperands(left, right, "%");
                var type = SqlType.CommonType(left.Type, right.Type)!;
                return type.IsIntegral || type.Kind == SqlTypeKind.Void
                    ? new TranslatedExpr($"({left.Sql} % {right.Sql})", type)
                    : new TranslatedExpr($"dbx_fmod({left.Sql}, {right.Sql})", type);
            }
        }
        throw EngineErrors.Syntax(binary.Operator);
    }

    private (TranslatedExpr, TranslatedExpr) NumericOperands(TranslatedExpr left, TranslatedExpr right, string op)
    {
        // Spark implicitly casts string operands of arithmetic to DOUBLE.
        if (left.Type.Kind == SqlTypeKind.String) left = CastTo(left, SqlType.Double);
        if (right.Type.Kind == SqlTypeKind.String) right = CastTo(right, SqlType.Double);
        RequireNumeric(left, op);
        RequireNumeric(right, op);
        return (left, right);
    }

    private static SqlType ArithmeticType(SqlType left, SqlType right, string op)
    {
        if (left.Kind == SqlTypeKind.Void) return right.Kind == SqlTypeKind.Void ? SqlType.Int : right;
        if (right.Kind == SqlTypeKind.Void) return left;
        if (left.Kind == SqlTypeKind.Decimal || right.Kind == SqlTypeKind.Decimal)
        {
            if (left.Kind is SqlTypeKind.Double or SqlTypeKind.Float || right.Kind is SqlTypeKind.Double or SqlTypeKind.Float) return SqlType.Double;
            var (p1, s1) = SqlType.DecimalShape(left);
            var (p2, s2) = SqlType.DecimalShape(right);
            if (op == "*") return SqlType.Decimal(Math.Min(38, p1 + p2 + 1), Math.Min(38, s1 + s2));
            var scale = Math.Max(s1, s2);
            return SqlType.Decimal(Math.Min(38, Math.Max(p1 - s1, p2 - s2) + scale + 1), scale);
        }
        return SqlType.CommonType(left, right) ?? SqlType.Double;
    }

    /// <summary>Spark's comparison coercion: a string compared with a typed value is cast to that type.</summary>
    public (TranslatedExpr, TranslatedExpr) CoerceForComparison(TranslatedExpr left, TranslatedExpr right)
    {
        RequireComparable(left.Type, right.Type);
        // A UTF8_LCASE side makes the comparison case-insensitive (the column's collation wins over the default).
        if (left.Type.Kind == SqlTypeKind.String && right.Type.Kind == SqlTypeKind.String && (left.Type.Collation ?? right.Type.Collation) is { } collation)
            return (left with { Sql = $"({left.Sql} COLLATE {collation})" }, right);
        if (left.Type == right.Type) return (left, right);
        if (left.Type.Kind == SqlTypeKind.String && right.Type.Kind == SqlTypeKind.String) return (left, right);
        if (left.Type.Kind == SqlTypeKind.String && right.Type.Kind is not (SqlTypeKind.String or SqlTypeKind.Void))
            return (CastTo(left, right.Type.IsIntegral ? SqlType.BigInt : right.Type), right);
        if (right.Type.Kind == SqlTypeKind.String && left.Type.Kind is not (SqlTypeKind.String or SqlTypeKind.Void))
            return (left, CastTo(right, left.Type.IsIntegral ? SqlType.BigInt : left.Type));
        if (left.Type.Kind == SqlTypeKind.Date && right.Type.Kind == SqlTypeKind.Timestamp) return (CastTo(left, SqlType.Timestamp), right);
        if (right.Type.Kind == SqlTypeKind.Date && left.Type.Kind == SqlTypeKind.Timestamp) return (left, CastTo(right, SqlType.Timestamp));
        if (left.Type.Kind == SqlTypeKind.Boolean && right.Type.IsNumeric) return (CastTo(left, right.Type), right);
        if (right.Type.Kind == SqlTypeKind.Boolean && left.Type.IsNumeric) return (left, CastTo(right, left.Type));
        if ((left.Type.IsNumeric || left.Type.Kind == SqlTypeKind.Void) && (right.Type.IsNumeric || right.Type.Kind == SqlTypeKind.Void)) return (left, right);
        if (left.Type.Kind == SqlTypeKind.Void || right.Type.Kind == SqlTypeKind.Void) return (left, right);
        throw EngineErrors.DatatypeMismatch($"cannot compare {left.Type.TypeText} with {right.Type.TypeText}");
    }

    private TranslatedExpr Coerce(TranslatedExpr value, SqlType target) =>
        value.Type.Kind == SqlTypeKind.String && target.Kind is not (SqlTypeKind.String or SqlTypeKind.Void) ? CastTo(value, target.IsIntegral ? SqlType.BigInt : target) : value;

    private static int IntegralRank(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Boolean => 0, SqlTypeKind.TinyInt => 1, SqlTypeKind.SmallInt => 2, SqlTypeKind.Int => 3, SqlTypeKind.BigInt => 4, _ => 99,
    };

    /// <summary>
    /// CAST(x AS type) and implicit store assignment. Validation needing Spark's rules runs in C# (dbx_cast); the
    /// common well-formed cases take SQL fast paths first because a C# call per row dominates million-row statements.
    /// </summary>
    public TranslatedExpr CastTo(TranslatedExpr value, SqlType target, bool tryCast = false)
    {
        var from = value.Type;
        if (from == target) return value;
        // Between collations of STRING only the type changes (the value is the same text).
        if (from.Kind == SqlTypeKind.String && target.Kind == SqlTypeKind.String) return value with { Type = target };
        if (from.Kind == SqlTypeKind.Void) return new TranslatedExpr("NULL", target, true);
        if (from.IsComplex || target.IsComplex) RequireCastable(from, target);
        if (value.Constant) return FoldConstantCast(value, target, tryCast);
        if (from.IsComplex || target.IsComplex) return CastComplex(value, target, tryCast);
        var x = value.Sql;
        var function = tryCast ? "dbx_try_cast" : "dbx_cast";
        var slow = $"{function}({x}, '{from.TypeText}', '{target.TypeText}')";
        string Checked(string condition, string fast) => $"(CASE WHEN {condition} THEN {fast} ELSE {slow} END)";

        if ((from.IsIntegral || from.Kind == SqlTypeKind.Boolean) && target.IsIntegral)
        {
            if (IntegralRank(target) >= IntegralRank(from)) return value with { Type = target };
            var (min, max) = target.Kind switch
            {
                SqlTypeKind.TinyInt => (sbyte.MinValue, (long)sbyte.MaxValue),
                SqlTypeKind.SmallInt => (short.MinValue, short.MaxValue),
                _ => (int.MinValue, (long)int.MaxValue),
            };
            return new TranslatedExpr(Checked($"{x} BETWEEN {min} AND {max}", x), target);
        }
        if (from.Kind == SqlTypeKind.String && target.Kind == SqlTypeKind.BigInt)
            return new TranslatedExpr(Checked($"CAST(CAST({x} AS INTEGER) AS TEXT) = {x}", $"CAST({x} AS INTEGER)"), target);
        if (from.Kind == SqlTypeKind.String && target.IsIntegral)
        {
            // Canonical in-range integer text takes one check; anything else the exact two-step cast (and its errors) as before.
            var (min, max) = target.Kind switch
            {
                SqlTypeKind.TinyInt => (sbyte.MinValue, (long)sbyte.MaxValue),
                SqlTypeKind.SmallInt => (short.MinValue, short.MaxValue),
                _ => (int.MinValue, (long)int.MaxValue),
            };
            var stepwise = CastTo(CastTo(value, SqlType.BigInt, tryCast), target, tryCast).Sql;
            return new TranslatedExpr(
                $"(CASE WHEN CAST(CAST({x} AS INTEGER) AS TEXT) = {x} AND CAST({x} AS INTEGER) BETWEEN {min} AND {max} THEN CAST({x} AS INTEGER) ELSE {stepwise} END)", target);
        }
        if (from.Kind == SqlTypeKind.String && target.Kind == SqlTypeKind.Double)
            // Integer text ('50') is exact as a double below 2^53; SQLite prints it back as '50.0', so it gets its own check.
            return new TranslatedExpr(
                $"(CASE WHEN CAST(CAST({x} AS REAL) AS TEXT) = {x} THEN CAST({x} AS REAL) " +
                $"WHEN CAST(CAST({x} AS INTEGER) AS TEXT) = {x} AND CAST({x} AS INTEGER) BETWEEN -9007199254740991 AND 9007199254740991 THEN CAST({x} AS REAL) ELSE {slow} END)", target);
        if (from.Kind == SqlTypeKind.String && target.Kind == SqlTypeKind.Boolean)
            return new TranslatedExpr($"(CASE {x} WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE {slow} END)", target);
        if (from.IsIntegral && target.Kind is SqlTypeKind.Double or SqlTypeKind.Float) return new TranslatedExpr($"CAST({x} AS REAL)", target);
        if (from.Kind is SqlTypeKind.Decimal or SqlTypeKind.Float && target.Kind == SqlTypeKind.Double) return value with { Type = target };
        if ((from.IsNumeric) && target.Kind == SqlTypeKind.Decimal)
        {
            var limit = Math.Pow(10, target.Precision - target.Scale).ToString("R", Invariant);
            if (!limit.Contains('.') && !limit.Contains('E')) limit += ".0";
            return new TranslatedExpr(Checked($"abs({x}) < {limit}", $"round({x}, {target.Scale})"), target);
        }
        if (from.IsIntegral && target.Kind == SqlTypeKind.String) return new TranslatedExpr($"CAST({x} AS TEXT)", target);
        if (from.Kind == SqlTypeKind.Date && target.Kind == SqlTypeKind.String) return value with { Type = target };
        if (from.Kind == SqlTypeKind.Boolean && target.Kind == SqlTypeKind.String)
            return new TranslatedExpr($"(CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END)", target);
        if (from.Kind == SqlTypeKind.Timestamp && target.Kind == SqlTypeKind.Date) return new TranslatedExpr($"substr({x}, 1, 10)", target);
        if (from.Kind == SqlTypeKind.Date && target.Kind == SqlTypeKind.Timestamp) return new TranslatedExpr($"({x} || 'T00:00:00.000000Z')", target);
        // A TIMESTAMP is an instant; as text it is the wall-clock time in the session time zone (TIMEZONE,
        // https://docs.databricks.com/aws/en/sql/language-manual/parameters/timezone).
        if (from.Kind == SqlTypeKind.Timestamp && target.Kind == SqlTypeKind.String && !SessionTimeZone.IsUtc(session.Context.TimeZone))
            return new TranslatedExpr($"dbx_timestamp_text({x}, {QuoteString(session.Context.TimeZone!)})", target);
        return new TranslatedExpr(slow, target);
    }

    /// <summary>Casts a literal or parameter once, in C#, and binds the result (and fails at once on malformed input, as Spark's constant folding does).</summary>
    private TranslatedExpr FoldConstantCast(TranslatedExpr value, SqlType target, bool tryCast)
    {
        var raw = session.ExecuteScalar("SELECT " + value.Sql);
        object? converted;
        try { converted = SqlValueConverter.Cast(raw, value.Type, target); }
        catch (EngineException) when (tryCast) { converted = null; }
        return new TranslatedExpr(converted switch
        {
            null => "NULL",
            long l => l.ToString(Invariant),
            string s => QuoteString(s),
            _ => session.BindValue(converted),
        }, target, true);
    }

    private TranslatedExpr TranslateCase(CaseExpr caseExpr, Scope scope)
    {
        var branches = new List<(string When, TranslatedExpr Then)>();
        TranslatedExpr? operand = caseExpr.Operand == null ? null : Translate(caseExpr.Operand, scope);
        foreach (var (when, then) in caseExpr.Branches)
        {
            string condition;
            if (operand != null)
            {
                var (l, r) = CoerceForComparison(operand, Translate(when, scope));
                condition = $"{l.Sql} = {r.Sql}";
            }
            else condition = TranslateCondition(when, scope);
            branches.Add((condition, Translate(then, scope)));
        }
        var otherwise = caseExpr.Else == null ? null : Translate(caseExpr.Else, scope);
        var type = CommonTypeOf(branches.Select(b => b.Then).Append(otherwise ?? new TranslatedExpr("NULL", SqlType.Void)));
        var sql = "CASE " + string.Join(" ", branches.Select(b => $"WHEN {b.When} THEN {CastTo(b.Then, type).Sql}"))
                  + (otherwise == null ? "" : $" ELSE {CastTo(otherwise, type).Sql}") + " END";
        return new TranslatedExpr(sql, type);
    }

    private static SqlType CommonTypeOf(IEnumerable<TranslatedExpr> values)
    {
        var type = SqlType.Void;
        foreach (var value in values)
            type = SqlType.CommonType(type, value.Type) ?? throw EngineErrors.DatatypeMismatch($"cannot combine {type.TypeText} and {value.Type.TypeText}");
        return type;
    }

    public static void RequireArity(string name, int count, int min, int max)
    {
        if (count < min || count > max)
            throw new EngineException("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605",
                $"The `{name}` requires {(min == max ? min.ToString(Invariant) : $"[{min}, {max}]")} parameters but the actual number is {count}.");
    }

    private TranslatedExpr TranslateFunction(FunctionExpr function, Scope scope)
    {
        var name = function.Name.ToLowerInvariant();
        if (function.CountStar) return new TranslatedExpr("COUNT(*)", SqlType.BigInt);
        var args = function.Arguments.Select(a => Translate(a, scope)).ToList();
        var distinct = function.Distinct ? "DISTINCT " : "";

        void Arity(int min, int max) => RequireArity(name, args.Count, min, max);

        switch (name)
        {
            case "count":
                Arity(1, int.MaxValue);
                return new TranslatedExpr($"COUNT({distinct}{string.Join(", ", args.Select(a => a.Sql))})", SqlType.BigInt);
            case "count_if":
                Arity(1, 1);
                return new TranslatedExpr($"SUM(CASE WHEN {args[0].Sql} THEN 1 ELSE 0 END)", SqlType.BigInt);
            case "min" or "max" or "any_value" or "first":
                Arity(1, 1);
                return new TranslatedExpr($"{(name is "any_value" or "first" ? "MIN" : name.ToUpperInvariant())}({distinct}{args[0].Sql})", args[0].Type);
            case "sum":
            {
                Arity(1, 1);
                var argument = args[0].Type.Kind == SqlTypeKind.String ? CastTo(args[0], SqlType.Double) : args[0];
                var type = argument.Type.IsIntegral ? SqlType.BigInt
                    : argument.Type.Kind == SqlTypeKind.Decimal ? SqlType.Decimal(Math.Min(38, argument.Type.Precision + 10), argument.Type.Scale)
                    : SqlType.Double;
                return new TranslatedExpr($"SUM({distinct}{argument.Sql})", type);
            }
            case "avg" or "mean":
            {
                Arity(1, 1);
                var type = args[0].Type.Kind == SqlTypeKind.Decimal ? SqlType.Decimal(Math.Min(38, args[0].Type.Precision + 4), Math.Min(38, args[0].Type.Scale + 4)) : SqlType.Double;
                return new TranslatedExpr($"AVG({distinct}{args[0].Sql})", type);
            }
            case "bool_or" or "bool_and":
                Arity(1, 1);
                return new TranslatedExpr($"{(name == "bool_or" ? "MAX" : "MIN")}({args[0].Sql})", SqlType.Boolean);
            case "concat":
                if (args.Count == 0) return new TranslatedExpr("''", SqlType.String);
                return new TranslatedExpr("(" + string.Join(" || ", args.Select(a => CastTo(a, SqlType.String).Sql)) + ")", SqlType.String);
            case "concat_ws":
                Arity(1, int.MaxValue);
                return new TranslatedExpr($"concat_ws({string.Join(", ", args.Select(a => CastTo(a, SqlType.String).Sql))})", SqlType.String);
            case "lower" or "lcase" or "upper" or "ucase":
                Arity(1, 1);
                return new TranslatedExpr($"{(name is "lower" or "lcase" ? "lower" : "upper")}({CastTo(args[0], SqlType.String).Sql})", SqlType.String);
            case "trim" or "ltrim" or "rtrim":
                Arity(1, 1);
                return new TranslatedExpr($"{name}({CastTo(args[0], SqlType.String).Sql})", SqlType.String);
            case "length" or "char_length" or "character_length" or "len":
                Arity(1, 1);
                return new TranslatedExpr($"length({CastTo(args[0], SqlType.String).Sql})", SqlType.Int);
            case "substring" or "substr":
                Arity(2, 3);
                return new TranslatedExpr($"substr({string.Join(", ", args.Select((a, i) => i == 0 ? CastTo(a, SqlType.String).Sql : a.Sql))})", SqlType.String);
            case "replace":
                Arity(2, 3);
                return new TranslatedExpr($"replace({CastTo(args[0], SqlType.String).Sql}, {CastTo(args[1], SqlType.String).Sql}, {(args.Count > 2 ? CastTo(args[2], SqlType.String).Sql : "''")})", SqlType.String);
            case "abs":
                Arity(1, 1);
                RequireNumeric(args[0], "abs");
                return new TranslatedExpr($"abs({args[0].Sql})", args[0].Type);
            case "round":
            {
                Arity(1, 2);
                RequireNumeric(args[0], "round");
                var digits = function.Arguments.Count > 1 && function.Arguments[1] is LiteralExpr { Value: long d } ? (int)d : 0;
                if (args[0].Type.IsIntegral) return args[0];
                var type = args[0].Type.Kind == SqlTypeKind.Decimal ? SqlType.Decimal(args[0].Type.Precision, Math.Min(args[0].Type.Scale, Math.Max(0, digits))) : args[0].Type;
                return new TranslatedExpr($"dbx_round({args[0].Sql}, {digits.ToString(Invariant)})", type);
            }
            case "floor" or "ceil" or "ceiling":
                Arity(1, 1);
                RequireNumeric(args[0], name);
                if (args[0].Type.IsIntegral) return args[0] with { Type = SqlType.BigInt };
                return new TranslatedExpr($"dbx_{(name == "floor" ? "floor" : "ceil")}({args[0].Sql})", SqlType.BigInt);
            case "mod" or "pmod":
                Arity(2, 2);
                return TranslateBinary(new BinaryExpr("%", function.Arguments[0], function.Arguments[1]), scope);
            case "coalesce" or "nvl" or "ifnull":
            {
                Arity(name == "coalesce" ? 1 : 2, name == "coalesce" ? int.MaxValue : 2);
                var type = CommonTypeOf(args);
                if (args.Count == 1) return CastTo(args[0], type);
                return new TranslatedExpr($"coalesce({string.Join(", ", args.Select(a => CastTo(a, type).Sql))})", type);
            }
            case "nullif":
                Arity(2, 2);
                return new TranslatedExpr($"nullif({args[0].Sql}, {args[1].Sql})", args[0].Type);
            case "if" or "iff":
            {
                Arity(3, 3);
                var type = CommonTypeOf(args.Skip(1));
                return new TranslatedExpr($"(CASE WHEN {args[0].Sql} THEN {CastTo(args[1], type).Sql} ELSE {CastTo(args[2], type).Sql} END)", type);
            }
            case "greatest" or "least":
            {
                Arity(2, int.MaxValue);
                var type = CommonTypeOf(args);
                return new TranslatedExpr($"dbx_{name}({string.Join(", ", args.Select(a => CastTo(a, type).Sql))})", type);
            }
            case "current_timestamp" or "now":
                Arity(0, 0);
                return new TranslatedExpr(QuoteString(session.NowStorage), SqlType.Timestamp);
            case "current_date" or "curdate":
                Arity(0, 0);
                return new TranslatedExpr(QuoteString(session.NowStorage[..10]), SqlType.Date);
            case "current_user" or "user" or "session_user":
                Arity(0, 0);
                return new TranslatedExpr(QuoteString(session.Context.UserName), SqlType.String);
            case "to_date":
                Arity(1, 1);
                return CastTo(args[0], SqlType.Date);
            case "to_timestamp":
                Arity(1, 1);
                return CastTo(args[0], SqlType.Timestamp);
            case "string" or "bigint" or "int" or "double" or "boolean" or "date" or "timestamp":
                Arity(1, 1);
                return CastTo(args[0], SqlParser.ParseColumnList("x " + name)[0].Type);
            case "unix_micros":
                // Microseconds since 1970-01-01 00:00:00 UTC, whatever the session time zone
                // (https://docs.databricks.com/en/sql/language-manual/functions/unix_micros.html).
                Arity(1, 1);
                if (args[0].Type.Kind is not (SqlTypeKind.Timestamp or SqlTypeKind.Void))
                    throw EngineErrors.DatatypeMismatch($"unix_micros requires a TIMESTAMP, not {args[0].Type.TypeText}");
                return new TranslatedExpr($"dbx_unix_micros({args[0].Sql})", SqlType.BigInt);
            case "current_timezone":
                // https://docs.databricks.com/en/sql/language-manual/functions/current_timezone.html
                Arity(0, 0);
                return new TranslatedExpr(QuoteString(session.Context.TimeZone ?? "Etc/UTC"), SqlType.String);
            case "uuid":
                Arity(0, 0);
                return new TranslatedExpr("dbx_uuid()", SqlType.String);
            case "md5":
                Arity(1, 1);
                return new TranslatedExpr($"dbx_md5({CastTo(args[0], SqlType.String).Sql})", SqlType.String);
            case "hash":
                return new TranslatedExpr($"dbx_hash({string.Join(", ", args.Select(a => CastTo(a, SqlType.String).Sql))})", SqlType.Int);
            case "isnull":
                Arity(1, 1);
                return new TranslatedExpr($"({args[0].Sql} IS NULL)", SqlType.Boolean);
            case "isnotnull":
                Arity(1, 1);
                return new TranslatedExpr($"({args[0].Sql} IS NOT NULL)", SqlType.Boolean);
            default:
                return TranslateComplexFunction(function, args, scope) ?? throw EngineErrors.UnknownFunction(function.Name);
        }
    }
}
