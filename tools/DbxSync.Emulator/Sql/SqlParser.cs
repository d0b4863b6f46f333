using System.Globalization;

namespace DbxSync.Emulator.Sql;

/// <summary>Recursive-descent parser for the Databricks SQL subset the emulator accepts.</summary>
public sealed partial class SqlParser
{
    private static readonly HashSet<string> ClauseKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "EXCEPT", "UNION", "INTERSECT", "MINUS",
        "ON", "USING", "WHEN", "THEN", "ELSE", "END", "SET", "VERSION", "TIMESTAMP", "AS", "JOIN", "INNER", "LEFT", "RIGHT",
        "FULL", "CROSS", "VALUES", "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN", "BY", "ASC", "DESC", "NULLS",
        "INTO", "MATCHED", "DISTINCT", "ALL", "CASE", "WITH", "FOR", "QUALIFY", "OVER", "WINDOW", "LATERAL",
    };

    private readonly List<SqlToken> _tokens;
    private int _position;

    private SqlParser(string sql) => _tokens = SqlTokenizer.Tokenize(sql);

    public static SqlStatement Parse(string sql)
    {
        var parser = new SqlParser(sql);
        var statement = parser.ParseStatement();
        while (parser.Current.IsSymbol(";")) parser._position++;
        if (parser.Current.Kind != TokenKind.End) throw parser.Unexpected();
        return statement;
    }

    /// <summary>Parses a read_files schema string such as 'id BIGINT, label STRING'.</summary>
    public static IReadOnlyList<ColumnDefinition> ParseColumnList(string text)
    {
        var parser = new SqlParser(text);
        var columns = new List<ColumnDefinition>();
        do columns.Add(parser.ParseColumnDefinition()); while (parser.Accept(","));
        if (parser.Current.Kind != TokenKind.End) throw parser.Unexpected();
        return columns;
    }

    // ---------- token helpers ----------
    private SqlToken Current => _tokens[_position];
    private SqlToken Peek(int offset = 1) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    private EngineException Unexpected() =>
        Current.Kind == TokenKind.End ? EngineErrors.SyntaxEnd() : EngineErrors.Syntax(Current.Raw);

    private bool Accept(string symbolOrKeyword)
    {
        if (Current.IsSymbol(symbolOrKeyword) || Current.IsKeyword(symbolOrKeyword)) { _position++; return true; }
        return false;
    }

    private bool AcceptSequence(params string[] keywords)
    {
        for (var i = 0; i < keywords.Length; i++)
            if (!Peek(i).IsKeyword(keywords[i]) && !Peek(i).IsSymbol(keywords[i])) return false;
        _position += keywords.Length;
        return true;
    }

    private void Expect(string symbolOrKeyword)
    {
        if (!Accept(symbolOrKeyword)) throw Unexpected();
    }

    private string ExpectIdentifier()
    {
        var token = Current;
        if (token.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier) { _position++; return token.Text; }
        throw Unexpected();
    }

    private string ExpectString()
    {
        if (Current.Kind != TokenKind.String) throw Unexpected();
        return _tokens[_position++].Text;
    }

    private QualifiedName ParseQualifiedName()
    {
        var parts = new List<string> { ExpectIdentifier() };
        while (Current.IsSymbol(".")) { _position++; parts.Add(ExpectIdentifier()); }
        return new QualifiedName(parts);
    }

    private bool AcceptIfNotExists() => AcceptSequence("IF", "NOT", "EXISTS");
    private bool AcceptIfExists() => AcceptSequence("IF", "EXISTS");

    // ---------- statements ----------
    private SqlStatement ParseStatement()
    {
        var token = Current;
        if (token.IsKeyword("SELECT") || token.IsKeyword("VALUES") || token.IsSymbol("(")) return new QueryStatement(ParseQuery());
        if (Accept("CREATE")) return ParseCreate();
        if (Accept("DROP")) return ParseDrop();
        if (Accept("ALTER")) return ParseAlter();
        if (Accept("INSERT")) return ParseInsert();
        if (Accept("UPDATE")) return ParseUpdate();
        if (Accept("DELETE")) return ParseDelete();
        if (Accept("MERGE")) return ParseMerge();
        if (Accept("DESCRIBE") || Accept("DESC"))
        {
            // DESCRIBE DETAIL: https://docs.databricks.com/en/sql/language-manual/delta-describe-detail.html
            if (Accept("DETAIL")) return new DescribeDetailStatement(ParseTableName(allowVersion: false, allowAlias: false));
            if (!Current.IsKeyword("HISTORY")) return ParseDescribeTable();
            Expect("HISTORY");
            var table = ParseTableName(allowVersion: false, allowAlias: false);
            SqlExpr? limit = Accept("LIMIT") ? ParseExpression() : null;
            return new DescribeHistoryStatement(table, limit);
        }
        if (Current.IsKeyword("COMMENT") && Peek().IsKeyword("ON")) return ParseCommentOn();
        if (Accept("OPTIMIZE"))
        {
            var table = ParseTableName(allowVersion: false, allowAlias: false);
            if (Accept("ZORDER")) { Expect("BY"); Expect("("); do ParseExpression(); while (Accept(",")); Expect(")"); }
            return new OptimizeStatement(table);
        }
        throw Unexpected();
    }

    private SqlStatement ParseCreate()
    {
        var orReplace = AcceptSequence("OR", "REPLACE");
        if (Accept("CATALOG"))
        {
            var ifNotExists = AcceptIfNotExists();
            var name = ExpectIdentifier();
            return new CreateCatalogStatement(name, ifNotExists, ParseOptionalComment());
        }
        if (Accept("SCHEMA") || Accept("DATABASE"))
        {
            var ifNotExists = AcceptIfNotExists();
            var name = ParseQualifiedName();
            return new CreateSchemaStatement(name, ifNotExists, ParseOptionalComment());
        }
        if (Accept("VOLUME") || AcceptSequence("MANAGED", "VOLUME"))
        {
            var ifNotExists = AcceptIfNotExists();
            var name = ParseQualifiedName();
            return new CreateVolumeStatement(name, ifNotExists, ParseOptionalComment());
        }
        if (Accept("TABLE"))
        {
            var ifNotExists = AcceptIfNotExists();
            var name = ParseQualifiedName();
            Expect("(");
            var columns = new List<ColumnDefinition>();
            do columns.Add(ParseColumnDefinition()); while (Accept(","));
            Expect(")");
            var properties = new List<KeyValuePair<string, string>>();
            string? comment = null;
            while (true)
            {
                if (Accept("USING")) { if (!Accept("DELTA")) throw Unexpected(); }
                else if (Accept("TBLPROPERTIES")) properties.AddRange(ParsePropertyList());
                else if (Accept("COMMENT")) comment = ExpectString();
                else break;
            }
            return new CreateTableStatement(name, ifNotExists, orReplace, columns, properties, comment);
        }
        throw Unexpected();
    }

    private string? ParseOptionalComment() => Accept("COMMENT") ? ExpectString() : null;

    private ColumnDefinition ParseColumnDefinition()
    {
        var name = ExpectIdentifier();
        var type = ParseType();
        var notNull = false;
        string? comment = null;
        while (true)
        {
            if (AcceptSequence("NOT", "NULL")) notNull = true;
            else if (Accept("NULL")) { }
            else if (Accept("COMMENT")) comment = ExpectString();
            else break;
        }
        return new ColumnDefinition(name, type, notNull, comment);
    }

    private SqlType ParseType()
    {
        var token = Current;
        if (token.Kind != TokenKind.Identifier) throw Unexpected();
        _position++;
        switch (token.Text.ToUpperInvariant())
        {
            case "BIGINT" or "LONG": return SqlType.BigInt;
            case "INT" or "INTEGER": return SqlType.Int;
            case "SMALLINT" or "SHORT": return SqlType.SmallInt;
            case "TINYINT" or "BYTE": return SqlType.TinyInt;
            case "DOUBLE": return SqlType.Double;
            case "FLOAT" or "REAL": return SqlType.Float;
            case "BOOLEAN": return SqlType.Boolean;
            case "DATE": return SqlType.Date;
            case "TIMESTAMP" or "TIMESTAMP_LTZ" or "TIMESTAMP_NTZ": return SqlType.Timestamp;
            // STRING COLLATE name: https://docs.databricks.com/en/sql/language-manual/sql-ref-collation.html
            case "STRING": return Accept("COLLATE") ? SqlType.StringCollated(ExpectIdentifier()) : SqlType.String;
            case "VARCHAR" or "CHAR":
                if (Accept("(")) { ParseInteger(); Expect(")"); }
                return SqlType.String;
            case "DECIMAL" or "DEC" or "NUMERIC":
                var precision = 10;
                var scale = 0;
                if (Accept("("))
                {
                    precision = ParseInteger();
                    if (Accept(",")) scale = ParseInteger();
                    Expect(")");
                }
                if (precision is < 1 or > 38 || scale < 0 || scale > precision) throw EngineErrors.Syntax(token.Raw);
                return SqlType.Decimal(precision, scale);
            default: return ParseComplexType(token) ?? throw EngineErrors.Syntax(token.Raw);
        }
    }

    private int ParseInteger()
    {
        if (Current.Kind != TokenKind.Integer) throw Unexpected();
        return int.Parse(_tokens[_position++].Text, CultureInfo.InvariantCulture);
    }

    private List<KeyValuePair<string, string>> ParsePropertyList()
    {
        var properties = new List<KeyValuePair<string, string>>();
        Expect("(");
        do
        {
            string key;
            if (Current.Kind == TokenKind.String) key = ExpectString();
            else key = string.Join(".", ParseQualifiedName().Parts);
            Accept("=");
            var value = Current;
            if (value.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Decimal or TokenKind.Double or TokenKind.Identifier)
            {
                _position++;
                properties.Add(new(key, value.Kind == TokenKind.Identifier ? value.Text.ToLowerInvariant() : value.Text));
            }
            else throw Unexpected();
        } while (Accept(","));
        Expect(")");
        return properties;
    }

    private SqlStatement ParseDrop()
    {
        if (Accept("TABLE"))
        {
            var ifExists = AcceptIfExists();
            return new DropTableStatement(ParseQualifiedName(), ifExists);
        }
        foreach (var kind in new[] { "VOLUME", "SCHEMA", "CATALOG" })
        {
            if (!Accept(kind)) continue;
            var ifExists = AcceptIfExists();
            var name = ParseQualifiedName();
            var cascade = Accept("CASCADE");
            Accept("RESTRICT");
            return new DropObjectStatement(kind, name, ifExists, cascade);
        }
        throw Unexpected();
    }

    private SqlStatement ParseAlter()
    {
        if (!Current.IsKeyword("TABLE")) return ParseAlterSecurable();
        Expect("TABLE");
        var table = ParseTableName(allowVersion: false, allowAlias: false);
        // ALTER TABLE ... ADD COLUMN[S] / DROP COLUMN[S]: https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-alter-table-manage-column.html
        if (Accept("ADD"))
        {
            if (!Accept("COLUMNS")) Expect("COLUMN");
            var parenthesised = Accept("(");
            var columns = new List<ColumnDefinition>();
            do columns.Add(ParseColumnDefinition()); while (Accept(","));
            if (parenthesised) Expect(")");
            return new AddColumnsStatement(table, columns);
        }
        if (Accept("DROP"))
        {
            if (!Accept("COLUMNS")) Expect("COLUMN");
            var ifExists = AcceptIfExists();
            var parenthesised = Accept("(");
            var names = new List<string>();
            do names.Add(ExpectIdentifier()); while (Accept(","));
            if (parenthesised) Expect(")");
            return new DropColumnsStatement(table, names, ifExists);
        }
        if (Current.IsKeyword("RENAME")) throw EngineErrors.Unsupported("ALTER TABLE RENAME COLUMN in the emulator");
        // ALTER TABLE ... { ALTER | CHANGE } [COLUMN] c { FIRST | AFTER other }: same page; the only column change modelled.
        if (Accept("ALTER") || Accept("CHANGE"))
        {
            Accept("COLUMN");
            var column = ExpectIdentifier();
            if (Accept("FIRST")) return new MoveColumnStatement(table, column, null);
            Expect("AFTER");
            return new MoveColumnStatement(table, column, ExpectIdentifier());
        }
        Expect("SET");
        Expect("TBLPROPERTIES");
        return new SetTablePropertiesStatement(table, ParsePropertyList());
    }

    private SqlStatement ParseInsert()
    {
        var overwrite = false;
        if (Accept("OVERWRITE")) { overwrite = true; Accept("TABLE"); }
        else { Expect("INTO"); Accept("TABLE"); }
        var table = ParseTableName(allowVersion: false, allowAlias: false);
        List<string>? columns = null;
        if (Current.IsSymbol("(") && !Peek().IsKeyword("SELECT") && !Peek().IsKeyword("VALUES"))
        {
            _position++;
            columns = [];
            do columns.Add(ExpectIdentifier()); while (Accept(","));
            Expect(")");
        }
        var source = ParseQuery();
        return new InsertStatement(table, columns, source, overwrite);
    }

    private SqlStatement ParseUpdate()
    {
        var table = ParseTableName(allowVersion: false, allowAlias: true);
        Expect("SET");
        var assignments = ParseAssignments();
        SqlExpr? where = Accept("WHERE") ? ParseExpression() : null;
        return new UpdateStatement(table, assignments, where);
    }

    private List<Assignment> ParseAssignments()
    {
        var assignments = new List<Assignment>();
        do
        {
            var name = ParseQualifiedName();
            Expect("=");
            assignments.Add(new Assignment(name.Last, ParseExpression()));
        } while (Accept(","));
        return assignments;
    }

    private SqlStatement ParseDelete()
    {
        Expect("FROM");
        var table = ParseTableName(allowVersion: false, allowAlias: true);
        SqlExpr? where = Accept("WHERE") ? ParseExpression() : null;
        return new DeleteStatement(table, where);
    }

    private SqlStatement ParseMerge()
    {
        AcceptSequence("WITH", "SCHEMA", "EVOLUTION");
        Expect("INTO");
        var target = ParseTableName(allowVersion: false, allowAlias: true);
        Expect("USING");
        var source = ParseTableSource();
        Expect("ON");
        var on = ParseExpression();
        var clauses = new List<MergeClause>();
        while (Accept("WHEN"))
        {
            var matched = !Accept("NOT");
            Expect("MATCHED");
            var bySource = false;
            if (!matched && Accept("BY"))
            {
                if (Accept("SOURCE")) bySource = true;
                else Expect("TARGET");
            }
            SqlExpr? condition = Accept("AND") ? ParseExpression() : null;
            Expect("THEN");
            if (matched || bySource)
            {
                if (Accept("DELETE"))
                    clauses.Add(new MergeClause(bySource ? MergeClauseKind.NotMatchedBySourceDelete : MergeClauseKind.MatchedDelete, condition, [], null, null));
                else
                {
                    Expect("UPDATE");
                    Expect("SET");
                    if (!bySource && Accept("*"))
                        clauses.Add(new MergeClause(MergeClauseKind.MatchedUpdateStar, condition, [], null, null));
                    else
                        clauses.Add(new MergeClause(bySource ? MergeClauseKind.NotMatchedBySourceUpdate : MergeClauseKind.MatchedUpdate, condition, ParseAssignments(), null, null));
                }
            }
            else
            {
                Expect("INSERT");
                if (Accept("*"))
                {
                    clauses.Add(new MergeClause(MergeClauseKind.NotMatchedInsertStar, condition, [], null, null));
                    continue;
                }
                Expect("(");
                var columns = new List<string>();
                do columns.Add(ParseQualifiedName().Last); while (Accept(","));
                Expect(")");
                Expect("VALUES");
                Expect("(");
                var values = new List<SqlExpr>();
                do values.Add(ParseExpression()); while (Accept(","));
                Expect(")");
                if (columns.Count != values.Count) throw EngineErrors.Syntax(")");
                clauses.Add(new MergeClause(MergeClauseKind.NotMatchedInsert, condition, [], columns, values));
            }
        }
        if (clauses.Count == 0) throw Unexpected();
        return new MergeStatement(target, source, on, clauses);
    }

    // ---------- tables ----------
    private NamedTableSource ParseTableName(bool allowVersion, bool allowAlias)
    {
        QualifiedName? name = null;
        string? parameter = null;
        if (Current.IsKeyword("IDENTIFIER") && Peek().IsSymbol("("))
        {
            _position += 2;
            if (Current.Kind == TokenKind.Parameter) parameter = _tokens[_position++].Text;
            else if (Current.Kind == TokenKind.String) name = ParseNameString(ExpectString());
            else throw Unexpected();
            Expect(")");
        }
        else name = ParseQualifiedName();

        SqlExpr? version = null;
        if (allowVersion)
        {
            if (AcceptSequence("VERSION", "AS", "OF") || AcceptSequence("FOR", "SYSTEM_VERSION", "AS", "OF")) version = ParsePrimary();
            else if (Current.IsKeyword("TIMESTAMP") && Peek().IsKeyword("AS")) throw EngineErrors.Unsupported("TIMESTAMP AS OF");
        }
        return new NamedTableSource(name, parameter, version, allowAlias ? ParseOptionalAlias() : null);
    }

    /// <summary>Splits a table name given as text (table_changes, IDENTIFIER) honouring backtick-quoted parts.</summary>
    public static QualifiedName ParseNameString(string text)
    {
        var parser = new SqlParser(text);
        var name = parser.ParseQualifiedName();
        if (parser.Current.Kind != TokenKind.End) throw parser.Unexpected();
        return name;
    }

    private string? ParseOptionalAlias()
    {
        if (Accept("AS")) return ExpectIdentifier();
        if (Current.Kind == TokenKind.QuotedIdentifier || (Current.Kind == TokenKind.Identifier && !ClauseKeywords.Contains(Current.Text)))
            return _tokens[_position++].Text;
        return null;
    }

    private TableSource ParseTableSource()
    {
        if (Current.IsSymbol("("))
        {
            _position++;
            if (Current.IsKeyword("VALUES"))
            {
                _position++;
                var rows = ParseValuesRows();
                Expect(")");
                return WithValuesAlias(rows);
            }
            var query = ParseQuery();
            Expect(")");
            return new SubquerySource(query, ParseOptionalAlias());
        }
        if (Accept("VALUES")) return WithValuesAlias(ParseValuesRows());
        if (Current.Kind == TokenKind.Identifier && Peek().IsSymbol("("))
        {
            var function = Current.Text.ToLowerInvariant();
            if (IsGeneratorFunction(function)) return ParseGeneratorSource();
            if (function is "range" or "table_changes" or "read_files")
            {
                _position += 2;
                var positional = new List<SqlExpr>();
                var named = new Dictionary<string, SqlExpr>(StringComparer.OrdinalIgnoreCase);
                if (!Current.IsSymbol(")"))
                {
                    do
                    {
                        if (Current.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier && Peek().IsSymbol("=>"))
                        {
                            var key = ExpectIdentifier();
                            _position++;
                            named[key] = ParseExpression();
                        }
                        else positional.Add(ParseExpression());
                    } while (Accept(","));
                }
                Expect(")");
                var alias = ParseOptionalAlias();
                switch (function)
                {
                    case "range":
                        if (positional.Count is < 1 or > 3) throw EngineErrors.Syntax("range");
                        return positional.Count == 1
                            ? new RangeSource(new LiteralExpr(0L, SqlType.BigInt), positional[0], alias)
                            : new RangeSource(positional[0], positional[1], alias);
                    case "table_changes":
                        if (positional.Count is < 2 or > 3) throw EngineErrors.Syntax("table_changes");
                        return new TableChangesSource(positional[0], positional[1], positional.Count > 2 ? positional[2] : null, alias);
                    default:
                        if (positional.Count != 1) throw EngineErrors.Syntax("read_files");
                        return new ReadFilesSource(positional[0], named, alias);
                }
            }
        }
        return ParseTableName(allowVersion: true, allowAlias: true);
    }

    private List<IReadOnlyList<SqlExpr>> ParseValuesRows()
    {
        var rows = new List<IReadOnlyList<SqlExpr>>();
        do
        {
            if (Accept("("))
            {
                var row = new List<SqlExpr>();
                do row.Add(ParseExpression()); while (Accept(","));
                Expect(")");
                rows.Add(row);
            }
            else rows.Add([ParseExpression()]);
        } while (Accept(","));
        return rows;
    }

    private ValuesSource WithValuesAlias(List<IReadOnlyList<SqlExpr>> rows)
    {
        var alias = ParseOptionalAlias();
        List<string>? columns = null;
        if (alias != null && Current.IsSymbol("("))
        {
            _position++;
            columns = [];
            do columns.Add(ExpectIdentifier()); while (Accept(","));
            Expect(")");
        }
        return new ValuesSource(rows, alias, columns);
    }

    // ---------- queries ----------
    private QueryExpr ParseQuery()
    {
        var body = ParseSetOperation();
        var orderBy = AcceptSequence("ORDER", "BY") ? ParseOrderItems() : [];
        SqlExpr? limit = Accept("LIMIT") ? (Accept("ALL") ? null : ParseExpression()) : null;
        SqlExpr? offset = Accept("OFFSET") ? ParseExpression() : null;
        return orderBy.Count == 0 && limit == null && offset == null ? body : new OrderedQuery(body, orderBy, limit, offset);
    }

    private List<OrderItem> ParseOrderItems()
    {
        var orderBy = new List<OrderItem>();
        do
        {
            var expression = ParseExpression();
            var descending = false;
            if (Accept("DESC")) descending = true;
            else Accept("ASC");
            bool? nullsFirst = null;
            if (Accept("NULLS")) nullsFirst = Accept("FIRST") ? true : Accept("LAST") ? false : throw Unexpected();
            orderBy.Add(new OrderItem(expression, descending, nullsFirst));
        } while (Accept(","));
        return orderBy;
    }

    private QueryExpr ParseSetOperation()
    {
        var left = ParseQueryTerm();
        while (true)
        {
            string op;
            if (Accept("EXCEPT") || Accept("MINUS")) op = "EXCEPT";
            else if (Accept("UNION")) op = "UNION";
            else if (Accept("INTERSECT")) op = "INTERSECT";
            else return left;
            var all = Accept("ALL");
            if (!all) Accept("DISTINCT");
            left = new SetOperationQuery(op, all, left, ParseQueryTerm());
        }
    }

    private QueryExpr ParseQueryTerm()
    {
        if (Accept("("))
        {
            var inner = ParseQuery();
            Expect(")");
            return inner;
        }
        if (Accept("VALUES")) return new ValuesQuery(WithValuesAlias(ParseValuesRows()));
        Expect("SELECT");
        var distinct = Accept("DISTINCT");
        if (!distinct) Accept("ALL");
        var items = new List<SelectItem>();
        do items.Add(ParseSelectItem()); while (Accept(","));
        TableSource? from = null;
        if (Accept("FROM"))
        {
            from = ParseLateralViews(ParseTableSource());
            // LEFT [OUTER] JOIN ... ON: https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select-join.html
            while (Current.IsKeyword("LEFT"))
            {
                _position++;
                Accept("OUTER");
                Expect("JOIN");
                var right = ParseTableSource();
                Expect("ON");
                from = new LeftJoinSource(from, right, ParseExpression());
            }
            if (Current.IsSymbol(",") || Current.IsKeyword("JOIN") || Current.IsKeyword("INNER") || Current.IsKeyword("CROSS"))
                throw EngineErrors.Unsupported("joins other than LEFT JOIN in the emulator");
        }
        SqlExpr? where = Accept("WHERE") ? ParseExpression() : null;
        var groupBy = new List<SqlExpr>();
        if (AcceptSequence("GROUP", "BY"))
            do groupBy.Add(ParseExpression()); while (Accept(","));
        SqlExpr? having = Accept("HAVING") ? ParseExpression() : null;
        // QUALIFY filters on window functions after they are computed:
        // https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select-qualify.html
        SqlExpr? qualify = Accept("QUALIFY") ? ParseExpression() : null;
        return new SelectQuery(distinct, items, from, where, groupBy, having) { Qualify = qualify };
    }

    private SelectItem ParseSelectItem()
    {
        if (Accept("*")) return new SelectItem(new StarExpr(null), null);
        if (Current.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier && Peek().IsSymbol(".") && Peek(2).IsSymbol("*"))
        {
            var qualifier = ExpectIdentifier();
            _position += 2;
            return new SelectItem(new StarExpr(qualifier), null);
        }
        var expression = ParseExpression();
        return new SelectItem(expression, ParseOptionalAlias());
    }

    // ---------- expressions ----------
    public SqlExpr ParseExpression() => ParseOr();

    private SqlExpr ParseOr()
    {
        var left = ParseAnd();
        while (Accept("OR")) left = new BinaryExpr("OR", left, ParseAnd());
        return left;
    }

    private SqlExpr ParseAnd()
    {
        var left = ParseNot();
        while (Accept("AND")) left = new BinaryExpr("AND", left, ParseNot());
        return left;
    }

    private SqlExpr ParseNot()
    {
        if (Current.IsKeyword("NOT") || Current.IsSymbol("!")) { _position++; return new UnaryExpr("NOT", ParseNot()); }
        return ParseComparison();
    }

    private SqlExpr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.Symbol && token.Text is "=" or "==" or "<>" or "!=" or "<" or "<=" or ">" or ">=" or "<=>")
            {
                _position++;
                var op = token.Text switch { "==" => "=", "!=" => "<>", _ => token.Text };
                left = new BinaryExpr(op, left, ParseAdditive());
                continue;
            }
            if (Accept("IS"))
            {
                var negated = Accept("NOT");
                if (Accept("NULL")) { left = new IsNullExpr(left, negated); continue; }
                if (AcceptSequence("DISTINCT", "FROM"))
                {
                    var right = ParseAdditive();
                    var nullSafe = new BinaryExpr("<=>", left, right);
                    left = negated ? nullSafe : new UnaryExpr("NOT", nullSafe);
                    continue;
                }
                if (Accept("TRUE")) { left = new BinaryExpr(negated ? "IS NOT" : "IS", left, new LiteralExpr(true, SqlType.Boolean)); continue; }
                if (Accept("FALSE")) { left = new BinaryExpr(negated ? "IS NOT" : "IS", left, new LiteralExpr(false, SqlType.Boolean)); continue; }
                throw Unexpected();
            }
            var not = false;
            if (Current.IsKeyword("NOT") && (Peek().IsKeyword("IN") || Peek().IsKeyword("LIKE") || Peek().IsKeyword("BETWEEN") || Peek().IsKeyword("ILIKE")))
            {
                _position++;
                not = true;
            }
            if (Accept("IN"))
            {
                Expect("(");
                if (Current.IsKeyword("SELECT")) throw EngineErrors.Unsupported("IN (subquery)");
                var items = new List<SqlExpr>();
                do items.Add(ParseExpression()); while (Accept(","));
                Expect(")");
                left = new InListExpr(left, items, not);
                continue;
            }
            if (Accept("LIKE")) { left = new LikeExpr(left, ParseAdditive(), not); continue; }
            if (Accept("ILIKE"))
            {
                left = new LikeExpr(new FunctionExpr("lower", [left]), new FunctionExpr("lower", [ParseAdditive()]), not);
                continue;
            }
            if (Accept("BETWEEN"))
            {
                var low = ParseAdditive();
                Expect("AND");
                left = new BetweenExpr(left, low, ParseAdditive(), not);
                continue;
            }
            if (not) throw Unexpected();
            return left;
        }
    }

    private SqlExpr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind == TokenKind.Symbol && Current.Text is "+" or "-" or "||")
        {
            var op = _tokens[_position++].Text;
            left = new BinaryExpr(op, left, ParseMultiplicative());
        }
        return left;
    }

    private SqlExpr ParseMultiplicative()
    {
        var left = ParseUnary();
        while ((Current.Kind == TokenKind.Symbol && Current.Text is "*" or "/" or "%") || Current.IsKeyword("DIV"))
        {
            var op = _tokens[_position++].Text.ToUpperInvariant();
            left = new BinaryExpr(op, left, ParseUnary());
        }
        return left;
    }

    private SqlExpr ParseUnary()
    {
        if (Current.IsSymbol("-"))
        {
            _position++;
            var operand = ParseUnary();
            return operand switch
            {
                LiteralExpr { Value: long l } lit => lit with { Value = -l },
                LiteralExpr { Value: decimal d } lit => lit with { Value = -d },
                LiteralExpr { Value: double d } lit => lit with { Value = -d },
                _ => new UnaryExpr("-", operand),
            };
        }
        if (Current.IsSymbol("+")) { _position++; return ParseUnary(); }
        return ParsePostfix(ParsePrimary());
    }

    private SqlExpr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
                _position++;
                return new LiteralExpr(token.Text, SqlType.String);
            case TokenKind.Integer:
                _position++;
                if (long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                    return new LiteralExpr(integer, integer is >= int.MinValue and <= int.MaxValue && !token.Raw.EndsWith('L') && !token.Raw.EndsWith('l') ? SqlType.Int : SqlType.BigInt);
                return DecimalLiteral(token.Text);
            case TokenKind.Decimal:
                _position++;
                return DecimalLiteral(token.Text);
            case TokenKind.Double:
                _position++;
                return new LiteralExpr(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), SqlType.Double);
            case TokenKind.Parameter:
                _position++;
                return new ParameterExpr(token.Text);
            case TokenKind.Symbol when token.Text == "(":
                _position++;
                if (Current.IsKeyword("SELECT")) throw EngineErrors.Unsupported("scalar subqueries");
                var inner = ParseExpression();
                Expect(")");
                return inner;
            case TokenKind.QuotedIdentifier:
                return ParseColumnReference();
            case TokenKind.Identifier:
                break;
            default:
                throw Unexpected();
        }

        var word = token.Text.ToUpperInvariant();
        switch (word)
        {
            case "NULL": _position++; return new LiteralExpr(null, SqlType.Void);
            case "TRUE": _position++; return new LiteralExpr(true, SqlType.Boolean);
            case "FALSE": _position++; return new LiteralExpr(false, SqlType.Boolean);
            case "DATE" when Peek().Kind == TokenKind.String:
                _position++;
                return new CastExpr(new LiteralExpr(ExpectString(), SqlType.String), SqlType.Date);
            case "TIMESTAMP" when Peek().Kind == TokenKind.String:
                _position++;
                return new CastExpr(new LiteralExpr(ExpectString(), SqlType.String), SqlType.Timestamp);
            case "CAST" or "TRY_CAST" when Peek().IsSymbol("("):
            {
                _position += 2;
                var operand = ParseExpression();
                Expect("AS");
                var type = ParseType();
                Expect(")");
                return new CastExpr(operand, type, word == "TRY_CAST");
            }
            case "CASE":
                return ParseCase();
        }
        if (Peek().IsSymbol("(")) return ParseFunctionCall();
        if (ClauseKeywords.Contains(token.Text) && !Peek().IsSymbol(".")) throw Unexpected();
        return ParseColumnReference();
    }

    private static LiteralExpr DecimalLiteral(string text)
    {
        var value = decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        var dot = text.IndexOf('.');
        var scale = dot < 0 ? 0 : text.Length - dot - 1;
        var digits = text.Replace(".", "").TrimStart('0').Length;
        var precision = Math.Max(Math.Max(digits, scale), 1);
        return new LiteralExpr(value, SqlType.Decimal(Math.Min(38, precision), scale));
    }

    private SqlExpr ParseColumnReference()
    {
        var first = ExpectIdentifier();
        if (!Current.IsSymbol(".") || Peek().IsSymbol("*")) return new ColumnExpr(null, first);
        _position++;
        var second = ExpectIdentifier();
        while (Current.IsSymbol(".") && !Peek().IsSymbol("*"))
        {
            // catalog.schema.table.column: only the table part matters for resolution.
            _position++;
            first = second;
            second = ExpectIdentifier();
        }
        return new ColumnExpr(first, second);
    }

    private SqlExpr ParseCase()
    {
        Expect("CASE");
        SqlExpr? operand = Current.IsKeyword("WHEN") ? null : ParseExpression();
        var branches = new List<(SqlExpr, SqlExpr)>();
        while (Accept("WHEN"))
        {
            var when = ParseExpression();
            Expect("THEN");
            branches.Add((when, ParseExpression()));
        }
        if (branches.Count == 0) throw Unexpected();
        SqlExpr? otherwise = Accept("ELSE") ? ParseExpression() : null;
        Expect("END");
        return new CaseExpr(operand, branches, otherwise);
    }

    private SqlExpr ParseFunctionCall()
    {
        var name = ExpectIdentifier().ToLowerInvariant();
        Expect("(");
        if (Accept("*"))
        {
            Expect(")");
            if (name != "count") throw EngineErrors.Syntax("*");
            return new FunctionExpr(name, [], CountStar: true);
        }
        var distinct = Accept("DISTINCT");
        var arguments = new List<SqlExpr>();
        if (!Current.IsSymbol(")"))
            do arguments.Add(name == "struct" ? ParseStructArgument() : ParseExpression()); while (Accept(","));
        Expect(")");
        var function = new FunctionExpr(name, arguments, distinct);
        return Accept("OVER") ? ParseWindow(function) : function;
    }

    /// <summary>OVER ([PARTITION BY ...] [ORDER BY ...]): https://docs.databricks.com/en/sql/language-manual/sql-ref-window-functions.html</summary>
    private WindowExpr ParseWindow(FunctionExpr function)
    {
        Expect("(");
        var partitionBy = new List<SqlExpr>();
        if (AcceptSequence("PARTITION", "BY"))
            do partitionBy.Add(ParseExpression()); while (Accept(","));
        var orderBy = AcceptSequence("ORDER", "BY") ? ParseOrderItems() : [];
        if (Current.IsKeyword("ROWS") || Current.IsKeyword("RANGE")) throw EngineErrors.Unsupported("window frames in the emulator");
        Expect(")");
        return new WindowExpr(function, partitionBy, orderBy);
    }
}
