namespace DbxSync.Emulator.Sql;

/// <summary>Parsing of ARRAY/MAP/STRUCT/VARIANT types, subscripts, field access, JSON paths and generators.</summary>
public sealed partial class SqlParser
{
    private static readonly HashSet<string> GeneratorFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer",
    };

    public static bool IsGeneratorFunction(string name) => GeneratorFunctions.Contains(name);

    /// <summary>ARRAY&lt;T&gt;, MAP&lt;K, V&gt;, STRUCT&lt;name[:] T [NOT NULL] [COMMENT '...'], ...&gt;, VARIANT (https://docs.databricks.com/en/sql/language-manual/sql-ref-datatypes.html).</summary>
    private SqlType? ParseComplexType(SqlToken token)
    {
        switch (token.Text.ToUpperInvariant())
        {
            case "VARIANT":
                return SqlType.Variant;
            case "VOID":
                return SqlType.Void;
            case "ARRAY":
            {
                Expect("<");
                var element = ParseType();
                ExpectCloseAngle();
                return SqlType.ArrayOf(element);
            }
            case "MAP":
            {
                Expect("<");
                var key = ParseType();
                Expect(",");
                var value = ParseType();
                ExpectCloseAngle();
                if (key.ContainsMapOrVariant) throw EngineErrors.Syntax(token.Raw);
                return SqlType.MapOf(key, value);
            }
            case "STRUCT":
            {
                Expect("<");
                var fields = new List<StructField>();
                if (!Current.IsSymbol(">"))
                    do fields.Add(ParseStructField()); while (Accept(","));
                ExpectCloseAngle();
                return SqlType.StructOf(fields);
            }
            default:
                return null;
        }
    }

    /// <summary>'&gt;&gt;' is not a token, but '&gt;=' and '&lt;&gt;' are never part of a type, so plain '&gt;' is enough.</summary>
    private void ExpectCloseAngle() => Expect(">");

    private StructField ParseStructField()
    {
        string name;
        SqlType type;
        if (Current.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier && Peek().Kind == TokenKind.Parameter)
        {
            // 'a :INT' tokenises as a name and a parameter marker; the marker's text is the type name.
            name = ExpectIdentifier();
            var marker = _tokens[_position];
            _tokens[_position] = new SqlToken(TokenKind.Identifier, marker.Text, marker.Position + 1, marker.Raw[1..]);
            type = ParseType();
        }
        else
        {
            name = ExpectIdentifier();
            Accept(":");
            type = ParseType();
        }
        var notNull = false;
        string? comment = null;
        while (true)
        {
            if (AcceptSequence("NOT", "NULL")) notNull = true;
            else if (Accept("COMMENT")) comment = ExpectString();
            else break;
        }
        return new StructField(name, type, notNull, comment);
    }

    /// <summary>Postfix operators binding tighter than any binary one: [subscript], .field, :json.path and ::TYPE casts.</summary>
    private SqlExpr ParsePostfix(SqlExpr primary)
    {
        while (true)
        {
            if (Current.IsSymbol("::")) { _position++; primary = new CastExpr(primary, ParseType()); }
            else if (Current.IsSymbol("["))
            {
                _position++;
                var index = ParseExpression();
                Expect("]");
                primary = new SubscriptExpr(primary, index);
            }
            else if (Current.IsSymbol(".") && primary is not ColumnExpr && Peek().Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier)
            {
                _position++;
                primary = new FieldAccessExpr(primary, ExpectIdentifier());
            }
            else if (Current.IsSymbol(":"))
            {
                var start = _position;
                _position++;
                var path = ParseJsonPath();
                primary = new JsonPathExpr(primary, path, string.Concat(_tokens.Skip(start).Take(_position - start).Select(t => t.Raw)));
            }
            else return primary;
        }
    }

    /// <summary>{ identifier | [ field ] | [ * ] | [ index ] } [ . identifier | [ field ] | [ * ] | [ index ] ] ...</summary>
    private List<JsonPathSegment> ParseJsonPath()
    {
        var segments = new List<JsonPathSegment>();
        var first = true;
        while (true)
        {
            if (Current.IsSymbol("["))
            {
                _position++;
                if (Accept("*")) segments.Add(new JsonPathSegment(null, null, true, Wildcard: true));
                else if (Current.Kind == TokenKind.String) segments.Add(new JsonPathSegment(ExpectString(), null, CaseSensitive: true));
                else segments.Add(new JsonPathSegment(null, ParseInteger(), true));
                Expect("]");
            }
            else if (first || Current.IsSymbol("."))
            {
                if (!first) _position++;
                segments.Add(new JsonPathSegment(ExpectIdentifier(), null, CaseSensitive: false));
            }
            else return segments;
            first = false;
            if (!Current.IsSymbol("[") && !Current.IsSymbol(".")) return segments;
        }
    }

    /// <summary>DESCRIBE [TABLE] name (after DESCRIBE); EXTENDED's detail rows are not emulated.</summary>
    private SqlStatement ParseDescribeTable()
    {
        Accept("TABLE");
        if (Current.IsKeyword("EXTENDED") || Current.IsKeyword("FORMATTED")) throw EngineErrors.Unsupported("DESCRIBE TABLE EXTENDED in the emulator");
        return new DescribeTableStatement(ParseTableName(allowVersion: false, allowAlias: false));
    }

    /// <summary>struct(expr [AS name], ...): the field takes the alias, else the column's name.</summary>
    private SqlExpr ParseStructArgument()
    {
        var value = ParseExpression();
        return Accept("AS") ? new NamedArgumentExpr(value, ExpectIdentifier()) : value;
    }

    /// <summary>explode(...) and friends in FROM: https://docs.databricks.com/en/sql/language-manual/functions/explode.html</summary>
    private TableSource ParseGeneratorSource()
    {
        var call = (FunctionExpr)ParsePrimary();
        var (alias, columns) = ParseGeneratorAliases(lateral: false);
        return new GeneratorSource(null, call, call.Name.EndsWith("_outer", StringComparison.Ordinal), alias, columns);
    }

    /// <summary>LATERAL VIEW [OUTER] generator(...) [table_alias] [AS col, ...], any number of times after a FROM item.</summary>
    private TableSource ParseLateralViews(TableSource source)
    {
        while (Current.IsKeyword("LATERAL"))
        {
            _position++;
            Expect("VIEW");
            var outer = Accept("OUTER");
            if (Current.Kind != TokenKind.Identifier || !IsGeneratorFunction(Current.Text) || !Peek().IsSymbol("(")) throw Unexpected();
            var call = (FunctionExpr)ParsePrimary();
            var (alias, columns) = ParseGeneratorAliases(lateral: true);
            source = new GeneratorSource(source, call, outer || call.Name.EndsWith("_outer", StringComparison.Ordinal), alias, columns);
        }
        return source;
    }

    /// <summary>FROM: [AS] alias [(col, ...)]; LATERAL VIEW: alias [AS col, ...].</summary>
    private (string? Alias, List<string>? Columns) ParseGeneratorAliases(bool lateral)
    {
        var explicitAs = !lateral && Accept("AS");
        string? alias = null;
        if (explicitAs || Current.Kind is TokenKind.QuotedIdentifier || (Current.Kind == TokenKind.Identifier && !ClauseKeywords.Contains(Current.Text)))
            alias = ExpectIdentifier();
        List<string>? columns = null;
        if (lateral ? Accept("AS") : Current.IsSymbol("("))
        {
            columns = [];
            var parenthesised = Accept("(");
            do columns.Add(ExpectIdentifier()); while (Accept(","));
            if (parenthesised) Expect(")");
        }
        return (alias, columns);
    }
}
