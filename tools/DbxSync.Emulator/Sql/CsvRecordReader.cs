using System.Buffers;
using System.Text;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Streaming CSV reader with Spark's CSV knobs: the quote, the escape character and multiLine. With escape equal to
/// the quote and multiLine on it reads RFC 4180 (doubled quotes, line breaks inside quotes) on a fast path; with
/// Spark's defaults (escape '\', multiLine false) every physical line is one record and \" is a literal quote.
/// An unquoted empty field reads as null and a quoted empty field as "", matching how Spark's CSV source
/// tells missing values from empty strings.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, char separator = ',', char quote = '"', int bufferSize = 64 * 1024, char escape = '"', bool multiLine = true) : IDisposable
{
    private readonly bool _rfc4180 = escape == quote && multiLine;
    private readonly char[] _buffer = new char[Math.Max(1, bufferSize)];
    private readonly SearchValues<char> _fieldEnds = SearchValues.Create([separator, '\n', '\r']);
    private int _lastWidth = 4;
    private int _length;
    private int _offset;
    private readonly StringBuilder _field = new();

    public static CsvRecordReader Open(string path, char separator = ',', char quote = '"', char escape = '"', bool multiLine = true) =>
        new(new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), separator, quote, 64 * 1024, escape, multiLine);

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _offset = 0;
        if (_length > 0) return true;
        _length = 0;
        return false;
    }

    private int Read() => _offset < _length || Fill() ? _buffer[_offset++] : -1;

    private int PeekChar() => _offset < _length || Fill() ? _buffer[_offset] : -1;

    /// <summary>Reads the next record, or null at end of input. Blank lines are skipped.</summary>
    public List<string?>? ReadRecord()
    {
        while (true)
        {
            var first = PeekChar();
            if (first == -1) return null;
            if (first == '\r' || first == '\n') { Read(); continue; }
            break;
        }

        var record = new List<string?>(_lastWidth);
        while (true)
        {
            _field.Clear();
            var (value, c) = _rfc4180 ? ReadRfc4180Field() : ReadSparkField();
            record.Add(value);
            if (c == separator) continue;
            if (c == '\r' && PeekChar() == '\n') Read();
            _lastWidth = record.Count;
            return record;
        }
    }

    /// <summary>One RFC 4180 field and the character that ended it (separator, line break or -1).</summary>
    private (string? Value, int End) ReadRfc4180Field()
    {
        int c;
        string? value;
        if (PeekChar() == quote)
        {
            Read();
            // Runs up to the next quote are copied in bulk; a doubled quote is a literal quote.
            while (true)
            {
                if (_offset == _length && !Fill()) { c = -1; break; }
                var span = _buffer.AsSpan(_offset, _length - _offset);
                var end = span.IndexOf(quote);
                if (end < 0) { _field.Append(span); _offset = _length; continue; }
                _field.Append(span[..end]);
                _offset += end + 1;
                if (PeekChar() == quote) { Read(); _field.Append(quote); continue; }
                c = Read();
                break;
            }
            // Tolerate stray characters after a closing quote rather than failing the whole file.
            while (c != -1 && c != separator && c != '\n' && c != '\r') { _field.Append((char)c); c = Read(); }
            value = _field.ToString();
        }
        else
        {
            // Unquoted: the field up to the next separator or line break, straight from the buffer when it lies within it.
            while (true)
            {
                if (_offset == _length && !Fill()) { c = -1; value = _field.Length == 0 ? null : _field.ToString(); break; }
                var span = _buffer.AsSpan(_offset, _length - _offset);
                var end = span.IndexOfAny(_fieldEnds);
                if (end < 0) { _field.Append(span); _offset = _length; continue; }
                if (_field.Length == 0) value = end == 0 ? null : new string(span[..end]);
                else value = _field.Append(span[..end]).ToString();
                c = span[end];
                _offset += end + 1;
                break;
            }
        }
        return (value, c);
    }

    /// <summary>
    /// One field by Spark's univocity settings when escape differs from the quote or multiLine is off: an escape
    /// before a quote (or itself) makes it literal, a quote not followed by a separator or line end is kept as text
    /// (unescapedQuoteHandling STOP_AT_DELIMITER), and without multiLine a line end always ends the record, so a
    /// quoted field still open there ends with its line.
    /// </summary>
    private (string? Value, int End) ReadSparkField()
    {
        int c;
        string? value;
        if (PeekChar() == quote)
        {
            Read();
            while (true)
            {
                c = Read();
                if (c == -1) break;
                if (!multiLine && c is '\n' or '\r') break;
                if (c == escape && escape != quote && (PeekChar() == quote || PeekChar() == escape)) { _field.Append((char)Read()); continue; }
                if (c == quote)
                {
                    var next = PeekChar();
                    if (next == quote && escape == quote) { Read(); _field.Append(quote); continue; }
                    if (next == -1 || next == separator || next is '\n' or '\r') { c = Read(); break; }
                    _field.Append(quote);
                    continue;
                }
                _field.Append((char)c);
            }
            value = _field.ToString();
        }
        else
        {
            while (true)
            {
                c = Read();
                if (c == -1 || c == separator || c is '\n' or '\r') break;
                _field.Append((char)c);
            }
            value = _field.Length == 0 ? null : _field.ToString();
        }
        return (value, c);
    }

    public void Dispose() => reader.Dispose();
}
