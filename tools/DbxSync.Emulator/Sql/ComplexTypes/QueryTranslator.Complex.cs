namespace DbxSync.Emulator.Sql;

/// <summary>Generators (explode, posexplode, inline) as relations, and the MAP/VARIANT checks of set operations and grouping.</summary>
public sealed partial class QueryTranslator
{
    private const string SelectGeneratorAlias = "__generator";

    /// <summary>
    /// SELECT a, explode(arr) AS x FROM t is LATERAL VIEW explode(arr) AS x
    /// (https://docs.databricks.com/en/sql/language-manual/functions/explode.html): the generator becomes a relation
    /// joined to each row, and its select item the generator's columns.
    /// </summary>
    private static SelectQuery RewriteSelectGenerator(SelectQuery select)
    {
        var generators = select.Items.Where(i => i.Expression is FunctionExpr f && SqlParser.IsGeneratorFunction(f.Name)).ToList();
        if (generators.Count == 0) return select;
        if (generators.Count > 1)
            throw new EngineException("UNSUPPORTED_GENERATOR.MULTI_GENERATOR", "42K0E",
                $"The generator is not supported: only one generator allowed per SELECT clause but found {generators.Count}.");
        var item = generators[0];
        var call = (FunctionExpr)item.Expression;
        var source = new GeneratorSource(select.From, call, call.Name.EndsWith("_outer", StringComparison.OrdinalIgnoreCase), SelectGeneratorAlias,
            item.Alias == null ? null : [item.Alias]);
        var items = select.Items.Select(i => ReferenceEquals(i, item) ? new SelectItem(new StarExpr(SelectGeneratorAlias), null) : i).ToList();
        return select with { Items = items, From = source };
    }

    /// <summary>struct_column.* selects every field (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select.html, star clause).</summary>
    private List<(string Name, SqlType Type, string Sql)>? ExpandStructStar(StarExpr star, Scope scope)
    {
        var column = scope.Columns.Where(c => string.Equals(c.Name, star.Qualifier, StringComparison.OrdinalIgnoreCase)).ToList();
        if (column.Count != 1 || column[0].Type.Kind != SqlTypeKind.Struct) return null;
        return column[0].Type.Fields!.Items
            .Select(f => (f.Name, f.Type, $"json_extract({column[0].Sql}, {ExpressionTranslator.FieldPathLiteral(f.Name)})"))
            .ToList();
    }

    private BoundRelation BindComplexRelation(TableSource source, string alias)
    {
        if (source is not GeneratorSource generator) throw EngineErrors.Unsupported(source.GetType().Name);
        var input = generator.Input == null ? null : BindRelation(generator.Input);
        var scope = new Scope(input?.Columns ?? []);
        var name = generator.Generator.Name.ToLowerInvariant().Replace("_outer", "", StringComparison.Ordinal);
        ExpressionTranslator.RequireArity(generator.Generator.Name, generator.Generator.Arguments.Count, 1, 1);
        var argument = expressions.Translate(generator.Generator.Arguments[0], scope);
        var produced = GeneratedColumns(name, argument.Type, alias);
        if (generator.ColumnAliases is { } aliases)
        {
            if (aliases.Count != produced.Count)
                throw new EngineException("UDTF_ALIAS_NUMBER_MISMATCH", "42802",
                    $"The number of aliases supplied in the AS clause does not match the number of columns output by the UDTF. Expected {produced.Count} aliases, but got {string.Join(", ", aliases)}.");
            produced = produced.Select((c, i) => c with { Name = aliases[i] }).ToList();
        }
        var columns = produced.Select(c => c with { Qualifier = generator.Alias }).ToList();
        var each = $"json_each({argument.Sql}) AS {alias}";
        if (input == null) return new BoundRelation(each, null, columns);
        var join = generator.Outer ? $"{input.FromSql} LEFT JOIN {each} ON 1" : $"{input.FromSql} CROSS JOIN {each}";
        return new BoundRelation(join, input.Filter, [.. input.Columns, .. columns]);
    }

    /// <summary>
    /// Output columns of a generator over json_each rows: explode gives col (array) or key, value (map), posexplode adds
    /// pos, inline gives the struct's fields (https://docs.databricks.com/en/sql/language-manual/functions/inline.html).
    /// </summary>
    private List<BoundColumn> GeneratedColumns(string name, SqlType type, string alias)
    {
        var value = $"{alias}.value";
        switch (name, type.Kind)
        {
            case ("explode", SqlTypeKind.Array):
                return [new BoundColumn("col", type.Element!, value, null)];
            case ("posexplode", SqlTypeKind.Array):
                return [new BoundColumn("pos", SqlType.Int, $"{alias}.key", null), new BoundColumn("col", type.Element!, value, null)];
            case ("explode", SqlTypeKind.Map):
                return
                [
                    new BoundColumn("key", type.KeyType!, expressions.CastTo(new TranslatedExpr($"{alias}.key", SqlType.String), type.KeyType!).Sql, null),
                    new BoundColumn("value", type.ValueType!, value, null),
                ];
            case ("inline", SqlTypeKind.Array) when type.Element!.Kind == SqlTypeKind.Struct:
                return type.Element.Fields!.Items
                    .Select(f => new BoundColumn(f.Name, f.Type, $"json_extract({value}, {ExpressionTranslator.FieldPathLiteral(f.Name)})", null))
                    .ToList();
            default:
                throw EngineErrors.DatatypeMismatch($"{name} does not accept {type.TypeText}");
        }
    }

    /// <summary>
    /// DISTINCT, UNION, EXCEPT and INTERSECT compare whole rows, which MAP and VARIANT do not allow
    /// (https://docs.databricks.com/en/error-messages/unsupported-feature-error-class.html: SET_OPERATION_ON_MAP_TYPE,
    /// SET_OPERATION_ON_VARIANT_TYPE).
    /// </summary>
    private static void RequireSetComparable(IReadOnlyList<(string Name, SqlType Type)> columns)
    {
        foreach (var (name, type) in columns)
        {
            if (!type.ContainsMapOrVariant) continue;
            var variant = type.Kind == SqlTypeKind.Variant || (type.Kind != SqlTypeKind.Map && !ContainsMap(type));
            throw variant
                ? new EngineException("UNSUPPORTED_FEATURE.SET_OPERATION_ON_VARIANT_TYPE", "0A000",
                    $"The feature is not supported: Cannot have VARIANT type columns in DataFrame which calls set operations (INTERSECT, EXCEPT, etc.), but the type of column {EngineErrors.Quote(name)} is \"{type.TypeText}\".")
                : new EngineException("UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE", "0A000",
                    $"The feature is not supported: Cannot have MAP type columns in DataFrame which calls set operations (INTERSECT, EXCEPT, etc.), but the type of column {EngineErrors.Quote(name)} is \"{type.TypeText}\".");
        }
    }

    private static bool ContainsMap(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Map => true,
        SqlTypeKind.Array => ContainsMap(type.Element!),
        SqlTypeKind.Struct => type.Fields!.Items.Any(f => ContainsMap(f.Type)),
        _ => false,
    };

    /// <summary>GROUP BY a MAP or VARIANT: https://docs.databricks.com/en/error-messages/error-classes.html#group_expression_type_is_not_orderable</summary>
    private void RequireGroupable(IReadOnlyList<SqlExpr> groupBy, Scope scope)
    {
        foreach (var expression in groupBy)
        {
            if (expression is LiteralExpr) continue;
            var type = expressions.Translate(expression, scope).Type;
            if (type.ContainsMapOrVariant)
                throw new EngineException("GROUP_EXPRESSION_TYPE_IS_NOT_ORDERABLE", "42822",
                    $"The expression \"{ExpressionTranslator.DisplayName(expression)}\" cannot be used as a grouping expression because its data type \"{type.TypeText}\" is not an orderable data type.");
        }
    }
}
