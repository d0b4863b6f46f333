using System.Text;

namespace DbxSync.Deployment.Tests.Support;

public enum BicepTokenKind { Identifier, String, Number, Symbol, NewLine }

/// <param name="Text">Identifier, symbol or number text; for strings, the literal content with each interpolation shown as ${}.</param>
/// <param name="HasInterpolation">A string containing ${...}; its expressions are emitted as separate tokens.</param>
public sealed record BicepToken(BicepTokenKind Kind, string Text, int Line, bool HasInterpolation = false)
{
    public bool Is(string symbolOrIdentifier) => Kind is BicepTokenKind.Symbol or BicepTokenKind.Identifier && Text == symbolOrIdentifier;
    public override string ToString() => $"{Kind} '{Text}' (line {Line})";
}

/// <summary>
/// Just enough of Bicep's lexical grammar to check declarations and references without the Bicep compiler,
/// which cannot be installed on the build machines.
/// </summary>
public static class BicepLexer
{
    private static readonly string[] MultiCharSymbols = ["::", "=>", "==", "!=", ">=", "<=", "&&", "||", "??", ".?", "=~", "!~"];

    public static List<BicepToken> Tokenize(string source)
    {
        var tokens = new List<BicepToken>();
        var position = 0;
        var line = 1;
        LexUntil(source, ref position, ref line, tokens, stopAtBrace: false);
        return tokens;
    }

    private static void LexUntil(string s, ref int i, ref int line, List<BicepToken> tokens, bool stopAtBrace)
    {
        var braceDepth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\n') { tokens.Add(new(BicepTokenKind.NewLine, "\n", line)); line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
            {
                while (i < s.Length && s[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new FormatException($"unterminated block comment at line {line}");
                line += s.AsSpan(i, end - i).Count('\n');
                i = end + 2;
                continue;
            }
            if (c == '\'' && string.CompareOrdinal(s, i, "'''", 0, 3) == 0)
            {
                var end = s.IndexOf("'''", i + 3, StringComparison.Ordinal);
                if (end < 0) throw new FormatException($"unterminated multi-line string at line {line}");
                var startLine = line;
                var content = s.Substring(i + 3, end - i - 3);
                line += content.Count(ch => ch == '\n');
                tokens.Add(new(BicepTokenKind.String, content, startLine));
                i = end + 3;
                continue;
            }
            if (c == '\'') { LexString(s, ref i, ref line, tokens); continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new(BicepTokenKind.Identifier, s[start..i], line));
                continue;
            }
            if (char.IsDigit(c))
            {
                var start = i;
                while (i < s.Length && char.IsDigit(s[i])) i++;
                tokens.Add(new(BicepTokenKind.Number, s[start..i], line));
                continue;
            }
            var at = i;
            var symbol = MultiCharSymbols.FirstOrDefault(m => string.CompareOrdinal(s, at, m, 0, m.Length) == 0) ?? c.ToString();
            if (stopAtBrace)
            {
                if (symbol == "{") braceDepth++;
                if (symbol == "}")
                {
                    if (braceDepth == 0) { i++; return; }
                    braceDepth--;
                }
            }
            tokens.Add(new(BicepTokenKind.Symbol, symbol, line));
            i += symbol.Length;
        }
        if (stopAtBrace) throw new FormatException($"unterminated string interpolation at line {line}");
    }

    private static void LexString(string s, ref int i, ref int line, List<BicepToken> tokens)
    {
        var startLine = line;
        var text = new StringBuilder();
        var interpolations = new List<BicepToken>();
        i++;
        while (true)
        {
            if (i >= s.Length || s[i] == '\n') throw new FormatException($"unterminated string at line {startLine}");
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length) { text.Append(s[i + 1]); i += 2; continue; }
            if (c == '\'') { i++; break; }
            if (c == '$' && i + 1 < s.Length && s[i + 1] == '{')
            {
                i += 2;
                text.Append("${}");
                LexUntil(s, ref i, ref line, interpolations, stopAtBrace: true);
                continue;
            }
            text.Append(c);
            i++;
        }
        tokens.Add(new(BicepTokenKind.String, text.ToString(), startLine, interpolations.Count > 0));
        if (interpolations.Count > 0)
        {
            // Interpolated expressions are checked like any other expression; parentheses keep them apart from neighbours.
            tokens.Add(new(BicepTokenKind.Symbol, "(", startLine));
            tokens.AddRange(interpolations);
            tokens.Add(new(BicepTokenKind.Symbol, ")", startLine));
        }
    }
}
