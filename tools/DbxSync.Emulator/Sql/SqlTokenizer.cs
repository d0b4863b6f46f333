using System.Text;

namespace DbxSync.Emulator.Sql;

public enum TokenKind { Identifier, QuotedIdentifier, String, Integer, Decimal, Double, Parameter, Symbol, End }

/// <summary>One lexical token; Text is the unescaped value (for strings and quoted identifiers) and Raw the source slice for error messages.</summary>
public readonly record struct SqlToken(TokenKind Kind, string Text, int Position, string Raw)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
}

/// <summary>Splits Databricks SQL into tokens, applying Spark's string-literal rules (backslash escapes, r'' raw strings, adjacent literals concatenate).</summary>
public static class SqlTokenizer
{
    private static readonly string[] MultiCharSymbols = ["<=>", "<>", "!=", "<=", ">=", "=>", "||", "==", "::"];

    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (true)
        {
            i = SkipWhitespaceAndComments(sql, i);
            if (i >= sql.Length) break;
            var start = i;
            var c = sql[i];
            if (c == '`')
            {
                var text = ReadQuoted(sql, ref i, '`', allowBackslashEscapes: false);
                tokens.Add(new SqlToken(TokenKind.QuotedIdentifier, text, start, sql[start..i]));
            }
            else if (c == '\'' || c == '"' || ((c == 'r' || c == 'R') && i + 1 < sql.Length && (sql[i + 1] == '\'' || sql[i + 1] == '"')))
            {
                var raw = c is 'r' or 'R';
                if (raw) i++;
                var text = ReadQuoted(sql, ref i, sql[i], allowBackslashEscapes: !raw);
                if (tokens.Count > 0 && tokens[^1].Kind == TokenKind.String)
                {
                    // Spark treats 'a' 'b' as one literal 'ab' — which is why '' is not an escape there.
                    var previous = tokens[^1];
                    tokens[^1] = previous with { Text = previous.Text + text, Raw = sql[previous.Position..i] };
                }
                else tokens.Add(new SqlToken(TokenKind.String, text, start, sql[start..i]));
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsDigit(sql[i + 1])))
            {
                tokens.Add(ReadNumber(sql, ref i));
            }
            else if (c == ':' && i + 1 < sql.Length && (char.IsLetter(sql[i + 1]) || sql[i + 1] == '_') && !IsPathColon(tokens, i))
            {
                i++;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) i++;
                tokens.Add(new SqlToken(TokenKind.Parameter, sql[(start + 1)..i], start, sql[start..i]));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) i++;
                tokens.Add(new SqlToken(TokenKind.Identifier, sql[start..i], start, sql[start..i]));
            }
            else
            {
                var symbol = MultiCharSymbols.FirstOrDefault(s => string.CompareOrdinal(sql, i, s, 0, s.Length) == 0) ?? c.ToString();
                if (symbol.Length == 1 && "(),.;=<>+-*/%[]:".IndexOf(c) < 0) throw EngineErrors.Syntax(symbol);
                i += symbol.Length;
                tokens.Add(new SqlToken(TokenKind.Symbol, symbol, start, symbol));
            }
        }
        tokens.Add(new SqlToken(TokenKind.End, "", sql.Length, "<EOF>"));
        return tokens;
    }

    /// <summary>
    /// 'raw:path' (JSON path, https://docs.databricks.com/en/sql/language-manual/sql-ref-json-path-expression.html) and
    /// 'name:TYPE' in STRUCT types, versus ':param' markers: the colon of a path touches the expression before it.
    /// </summary>
    private static bool IsPathColon(List<SqlToken> tokens, int colon)
    {
        if (tokens.Count == 0) return false;
        var previous = tokens[^1];
        if (previous.Position + previous.Raw.Length != colon) return false;
        return previous.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier || previous.IsSymbol(")") || previous.IsSymbol("]");
    }

    private static int SkipWhitespaceAndComments(string sql, int i)
    {
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i])) i++;
            else if (sql[i] == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw EngineErrors.SyntaxEnd();
                i = end + 2;
            }
            else break;
        }
        return i;
    }

    private static string ReadQuoted(string sql, ref int i, char quote, bool allowBackslashEscapes)
    {
        var start = i;
        i++;
        var text = new StringBuilder();
        while (true)
        {
            if (i >= sql.Length) throw EngineErrors.Syntax(sql[start..Math.Min(sql.Length, start + 20)]);
            var c = sql[i];
            if (c == quote)
            {
                // Backticks escape themselves by doubling; string quotes do not (adjacent literals concatenate instead).
                if (quote == '`' && i + 1 < sql.Length && sql[i + 1] == '`') { text.Append('`'); i += 2; continue; }
                i++;
                return text.ToString();
            }
            if (c == '\\' && allowBackslashEscapes && i + 1 < sql.Length)
            {
                var next = sql[i + 1];
                text.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', 'b' => '\b', 'Z' => '\u001A', _ => next });
                if (next == 'u' && i + 5 < sql.Length)
                {
                    text.Length--;
                    text.Append((char)Convert.ToInt32(sql.Substring(i + 2, 4), 16));
                    i += 6;
                    continue;
                }
                i += 2;
                continue;
            }
            text.Append(c);
            i++;
        }
    }

    private static SqlToken ReadNumber(string sql, ref int i)
    {
        var start = i;
        var kind = TokenKind.Integer;
        while (i < sql.Length && char.IsDigit(sql[i])) i++;
        if (i < sql.Length && sql[i] == '.' && !(i + 1 < sql.Length && sql[i + 1] == '.'))
        {
            kind = TokenKind.Decimal;
            i++;
            while (i < sql.Length && char.IsDigit(sql[i])) i++;
        }
        if (i < sql.Length && (sql[i] == 'e' || sql[i] == 'E'))
        {
            var j = i + 1;
            if (j < sql.Length && (sql[j] == '+' || sql[j] == '-')) j++;
            if (j < sql.Length && char.IsDigit(sql[j]))
            {
                kind = TokenKind.Double;
                i = j;
                while (i < sql.Length && char.IsDigit(sql[i])) i++;
            }
        }
        var text = sql[start..i];
        if (i < sql.Length && (sql[i] == 'L' || sql[i] == 'l') && kind == TokenKind.Integer) { i++; }
        else if (i < sql.Length && (sql[i] == 'D' || sql[i] == 'd') && !(i + 1 < sql.Length && char.IsLetterOrDigit(sql[i + 1]))) { kind = TokenKind.Double; i++; }
        if (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_')) throw EngineErrors.Syntax(sql[start..Math.Min(sql.Length, i + 1)]);
        return new SqlToken(kind, text, start, sql[start..i]);
    }
}
