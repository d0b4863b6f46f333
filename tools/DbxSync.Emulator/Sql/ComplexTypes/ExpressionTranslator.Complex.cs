using System.Globalization;

namespace DbxSync.Emulator.Sql;

/// <summary>Complex-type expressions: constructors, JSON functions, subscripts, field access, JSON paths, casts.</summary>
public sealed partial class ExpressionTranslator
{
    private static string TypeLiteral(SqlType type) => QuoteString(type.TypeText);

    /// <summary>The SQLite JSON path literal of a struct field: '$."name"'.</summary>
    public static string FieldPathLiteral(string field) => QuoteString("$.\"" + field + "\"");

    /// <summary>A column, or struct.field when no table of that name has the column (Spark resolves table.column first).</summary>
    private TranslatedExpr TranslateColumn(ColumnExpr column, Scope scope)
    {
        try
        {
            var resolved = scope.Resolve(column.Qualifier, column.Name);
            return new TranslatedExpr(resolved.Sql, resolved.Type);
        }
        catch (EngineException unresolved) when (column.Qualifier != null && unresolved.ErrorClass.StartsWith("UNRESOLVED_COLUMN", StringComparison.Ordinal))
        {
            BoundColumn structColumn;
            try { structColumn = scope.Resolve(null, column.Qualifier); }
            catch (EngineException) { throw unresolved; }
            if (structColumn.Type.Kind != SqlTypeKind.Struct) throw unresolved;
            return FieldAccess(new TranslatedExpr(structColumn.Sql, structColumn.Type), column.Name);
        }
    }

    private TranslatedExpr TranslateComplexExpression(SqlExpr expr, Scope scope)
    {
        switch (expr)
        {
            case NamedArgumentExpr named:
                return Translate(named.Value, scope);
            case FieldAccessExpr access:
                return FieldAccess(Translate(access.Operand, scope), access.Field);
            case SubscriptExpr subscript:
                return Subscript(Translate(subscript.Operand, scope), Translate(subscript.Index, scope), zeroBased: true);
            case JsonPathExpr path:
            {
                var operand = Translate(path.Operand, scope);
                if (operand.Type.Kind is not (SqlTypeKind.String or SqlTypeKind.Variant or SqlTypeKind.Void))
                    throw EngineErrors.DatatypeMismatch($"the JSON path operator : requires STRING or VARIANT input, not {operand.Type.TypeText}");
                var variant = operand.Type.Kind == SqlTypeKind.Variant;
                if (variant && path.Path.Any(p => p.Wildcard)) throw EngineErrors.Unsupported("[*] in a VARIANT path");
                return new TranslatedExpr($"dbx_json_path({operand.Sql}, {QuoteString(ComplexFunctions.SerializePath(path.Path))}, {(variant ? 1 : 0)})",
                    variant ? SqlType.Variant : SqlType.String);
            }
            default:
                throw EngineErrors.Unsupported(expr.GetType().Name);
        }
    }

    private static string ComplexDisplayName(SqlExpr expr) => expr switch
    {
        FieldAccessExpr access => access.Field,
        SubscriptExpr subscript => $"{DisplayName(subscript.Operand)}[{DisplayName(subscript.Index)}]",
        // assumed: like Spark's GetJsonObject alias, the column takes the last field of the path.
        JsonPathExpr path => path.Path.LastOrDefault(p => p.Field != null)?.Field ?? DisplayName(path.Operand),
        NamedArgumentExpr named => named.Name,
        _ => "col",
    };

    /// <summary>struct.field: https://docs.databricks.com/en/sql/language-manual/functions/dotsign.html</summary>
    private static TranslatedExpr FieldAccess(TranslatedExpr operand, string field)
    {
        if (operand.Type.Kind != SqlTypeKind.Struct)
            throw EngineErrors.DatatypeMismatch($"cannot extract field {EngineErrors.Quote(field)} from {operand.Type.TypeText}");
        var index = operand.Type.Fields!.IndexOf(field);
        if (index < 0)
            throw new EngineException("FIELD_NOT_FOUND", "42704",
                $"No such struct field {EngineErrors.Quote(field)} in {string.Join(", ", operand.Type.Fields.Items.Select(f => EngineErrors.Quote(f.Name)))}.");
        var resolved = operand.Type.Fields.Items[index];
        return new TranslatedExpr($"json_extract({operand.Sql}, {FieldPathLiteral(resolved.Name)})", resolved.Type);
    }

    /// <summary>
    /// array[index] (0-based; out of range is INVALID_ARRAY_INDEX under ANSI mode,
    /// https://docs.databricks.com/en/sql/language-manual/functions/bracketsign.html) and element_at (1-based, negative
    /// counts from the end, 0 is INVALID_INDEX_OF_ZERO, out of range INVALID_ARRAY_INDEX_IN_ELEMENT_AT,
    /// https://docs.databricks.com/en/sql/language-manual/functions/element_at.html); map[key] is NULL when absent.
    /// </summary>
    private TranslatedExpr Subscript(TranslatedExpr operand, TranslatedExpr index, bool zeroBased)
    {
        switch (operand.Type.Kind)
        {
            case SqlTypeKind.Array:
            {
                if (!index.Type.IsIntegral && index.Type.Kind != SqlTypeKind.Void) throw EngineErrors.DatatypeMismatch($"array index must be INT, not {index.Type.TypeText}");
                var (x, n) = (operand.Sql, $"json_array_length({operand.Sql})");
                var i = zeroBased ? index.Sql : $"(CASE WHEN {index.Sql} < 0 THEN {n} + {index.Sql} ELSE {index.Sql} - 1 END)";
                return new TranslatedExpr(
                    $"(CASE WHEN {x} IS NULL OR {index.Sql} IS NULL THEN NULL WHEN {i} >= 0 AND {i} < {n} AND {(zeroBased ? "1" : $"{index.Sql} <> 0")} " +
                    $"THEN json_extract({x}, '$[' || {i} || ']') ELSE dbx_array_index_error({index.Sql}, {n}, {(zeroBased ? 0 : 1)}) END)", operand.Type.Element!);
            }
            case SqlTypeKind.Map:
            {
                var key = CastTo(CastTo(index, operand.Type.KeyType!), SqlType.String);
                return new TranslatedExpr($"(SELECT j.value FROM json_each({operand.Sql}) AS j WHERE j.key = {key.Sql})", operand.Type.ValueType!);
            }
            default:
                throw EngineErrors.DatatypeMismatch($"cannot subscript {operand.Type.TypeText}");
        }
    }

    /// <summary>
    /// Statement parameters carry scalar types only; ARRAY/MAP/STRUCT values are built in the statement
    /// (https://docs.databricks.com/api/workspace/statementexecution/executestatement, parameters.type). Error class assumed.
    /// </summary>
    private static void RequireScalarParameter(string name, SqlType type)
    {
        if (type.IsComplex)
            throw new EngineException("INVALID_PARAMETER_VALUE.COMPLEX_TYPE", "22023",
                $"The parameter {name} has type {type.TypeText}; parameters must be scalar. Pass the value as a STRING and use from_json, parse_json, array(), map() or struct() in the statement.");
    }

    private static void RequireCastable(SqlType from, SqlType target)
    {
        if (!ComplexValues.CanCast(from, target)) throw ComplexValues.CastMismatch(from, target);
    }

    private TranslatedExpr CastComplex(TranslatedExpr value, SqlType target, bool tryCast) =>
        new($"{(tryCast ? "dbx_try_cast" : "dbx_cast")}({value.Sql}, {TypeLiteral(value.Type)}, {TypeLiteral(target)})", target);

    /// <summary>MAP and VARIANT values cannot be compared (map-type.html, variant-type.html).</summary>
    private static void RequireComparable(SqlType left, SqlType right)
    {
        foreach (var type in new[] { left, right })
            if (type.ContainsMapOrVariant)
                throw new EngineException("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", "42K09",
                    $"Cannot resolve the comparison due to data type mismatch: the comparison does not support ordering on type \"{type.TypeText}\".");
    }

    /// <summary>The schema argument of from_json: a DDL field list ('a INT, b STRING') or a type ('ARRAY&lt;STRUCT&lt;...&gt;&gt;').</summary>
    private SqlType ConstantSchema(SqlExpr argument)
    {
        var text = argument switch
        {
            LiteralExpr { Value: string s } => s,
            ParameterExpr p => session.GetParameter(p.Name).Value,
            _ => null,
        } ?? throw new EngineException("INVALID_SCHEMA.NON_STRING_LITERAL", "42K07", $"The input schema {DisplayName(argument)} must be a string literal.");
        try { return SqlType.StructOf(SqlParser.ParseColumnList(text).Select(c => new StructField(c.Name, c.Type, c.NotNull, c.Comment)).ToList()); }
        catch (EngineException)
        {
            try { return SqlParser.ParseColumnList("x " + text)[0].Type; }
            catch (EngineException) { throw new EngineException("INVALID_SCHEMA.PARSE_ERROR", "42K07", $"The input schema '{text}' is not a valid schema string."); }
        }
    }

    private TranslatedExpr? TranslateComplexFunction(FunctionExpr function, IReadOnlyList<TranslatedExpr> args, Scope scope)
    {
        var name = function.Name.ToLowerInvariant();
        void Arity(int min, int max) => RequireArity(name, args.Count, min, max);

        switch (name)
        {
            // https://docs.databricks.com/en/sql/language-manual/functions/array.html
            case "array":
            {
                var type = SqlType.ArrayOf(CommonTypeOf(args));
                return new TranslatedExpr($"dbx_array({string.Join(", ", args.Select(a => CastTo(a, type.Element!).Sql).Prepend(TypeLiteral(type)))})", type);
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/map.html
            case "map":
            {
                if (args.Count % 2 != 0)
                    throw new EngineException("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605", $"The `map` requires an even number of parameters but the actual number is {args.Count}.");
                var keys = args.Where((_, i) => i % 2 == 0).ToList();
                var values = args.Where((_, i) => i % 2 == 1).ToList();
                var type = SqlType.MapOf(CommonTypeOf(keys), CommonTypeOf(values));
                if (type.KeyType!.ContainsMapOrVariant) throw EngineErrors.DatatypeMismatch("map keys cannot be MAP or VARIANT");
                var cells = args.Select((a, i) => CastTo(a, i % 2 == 0 ? type.KeyType! : type.ValueType!).Sql).Prepend(TypeLiteral(type));
                return new TranslatedExpr($"dbx_map({string.Join(", ", cells)})", type);
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/named_struct.html
            case "named_struct":
            {
                if (args.Count == 0 || args.Count % 2 != 0)
                    throw new EngineException("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605", $"The `named_struct` requires an even, non-zero number of parameters but the actual number is {args.Count}.");
                var fields = new List<StructField>();
                for (var i = 0; i < args.Count; i += 2)
                {
                    if (function.Arguments[i] is not LiteralExpr { Value: string fieldName })
                        throw EngineErrors.DatatypeMismatch($"named_struct field names must be string literals, not {DisplayName(function.Arguments[i])}");
                    fields.Add(new StructField(fieldName, args[i + 1].Type.Kind == SqlTypeKind.Void ? SqlType.Void : args[i + 1].Type));
                }
                return Struct(fields, args.Where((_, i) => i % 2 == 1).ToList());
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/struct.html
            case "struct":
            {
                var fields = function.Arguments.Select((a, i) => new StructField(a switch
                {
                    NamedArgumentExpr named => named.Name,
                    ColumnExpr column => column.Name,
                    FieldAccessExpr access => access.Field,
                    _ => "col" + (i + 1).ToString(CultureInfo.InvariantCulture),
                }, args[i].Type)).ToList();
                return Struct(fields, args);
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/from_json.html
            case "from_json":
            {
                Arity(2, 3);
                var type = ConstantSchema(function.Arguments[1]);
                return new TranslatedExpr($"dbx_from_json({CastTo(args[0], SqlType.String).Sql}, {TypeLiteral(type)})", type);
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/to_json.html
            case "to_json":
                Arity(1, 2);
                if (!args[0].Type.IsComplex)
                    throw EngineErrors.DatatypeMismatch($"to_json requires STRUCT, MAP, ARRAY or VARIANT input, not {args[0].Type.TypeText}");
                return new TranslatedExpr($"dbx_to_json({args[0].Sql}, {TypeLiteral(args[0].Type)})", SqlType.String);
            // https://docs.databricks.com/en/sql/language-manual/functions/parse_json.html
            case "parse_json" or "try_parse_json":
                Arity(1, 1);
                return new TranslatedExpr($"dbx_parse_json({CastTo(args[0], SqlType.String).Sql}, {(name == "try_parse_json" ? 1 : 0)})", SqlType.Variant);
            // https://docs.databricks.com/en/sql/language-manual/functions/array_contains.html: NULL when the value is
            // NULL, or when it is not found and the array holds a NULL.
            case "array_contains":
            {
                Arity(2, 2);
                if (args[0].Type.Kind != SqlTypeKind.Array) throw EngineErrors.DatatypeMismatch($"array_contains requires an ARRAY, not {args[0].Type.TypeText}");
                var value = CastTo(args[1], args[0].Type.Element!);
                var (x, v) = (args[0].Sql, value.Sql);
                return new TranslatedExpr(
                    $"(CASE WHEN {x} IS NULL OR {v} IS NULL THEN NULL WHEN EXISTS (SELECT 1 FROM json_each({x}) WHERE value = {v}) THEN 1 " +
                    $"WHEN EXISTS (SELECT 1 FROM json_each({x}) WHERE type = 'null') THEN NULL ELSE 0 END)", SqlType.Boolean);
            }
            // https://docs.databricks.com/en/sql/language-manual/functions/size.html (NULL for NULL under ANSI mode)
            case "size" or "cardinality":
                Arity(1, 1);
                return args[0].Type.Kind switch
                {
                    SqlTypeKind.Array => new TranslatedExpr($"json_array_length({args[0].Sql})", SqlType.Int),
                    SqlTypeKind.Map => new TranslatedExpr($"(CASE WHEN {args[0].Sql} IS NULL THEN NULL ELSE (SELECT COUNT(*) FROM json_each({args[0].Sql})) END)", SqlType.Int),
                    _ => throw EngineErrors.DatatypeMismatch($"{name} requires an ARRAY or MAP, not {args[0].Type.TypeText}"),
                };
            // https://docs.databricks.com/en/sql/language-manual/functions/element_at.html
            case "element_at":
                Arity(2, 2);
                return Subscript(args[0], args[1], zeroBased: false);
            case var generator when SqlParser.IsGeneratorFunction(generator):
                throw new EngineException("UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS", "42K0E",
                    $"The generator is not supported: nested in expressions \"{DisplayName(function)}\".");
            default:
                return null;
        }
    }

    private TranslatedExpr Struct(IReadOnlyList<StructField> fields, IReadOnlyList<TranslatedExpr> values)
    {
        var type = SqlType.StructOf(fields);
        var cells = values.Select((v, i) => CastTo(v, fields[i].Type).Sql).Prepend(TypeLiteral(type));
        return new TranslatedExpr($"dbx_struct({string.Join(", ", cells)})", type);
    }
}
