using System.Buffers;
using System.Text;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Streaming RFC 4180 reader (quoted fields with embedded separators, doubled quotes and line breaks).
/// An unquoted empty field reads as null and a quoted empty field as "", matching how Spark's CSV source
/// tells missing values from empty strings.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, char separator = ',', char quote = '"', int bufferSize = 64 * 1024) : IDisposable
{
    private readonly char[] _buffer = new char[Math.Max(1, bufferSize)];
    private readonly SearchValues<char> _fieldEnds = SearchValues.Create([separator, '\n', '\r']);
    private int _lastWidth = 4;
    private int _length;
    private int _offset;
    private readonly StringBuilder _field = new();

    public static CsvRecordReader Open(string path, char separator = ',') =>
        new(new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), separator);

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

            record.Add(value);
            if (c == separator) continue;
            if (c == '\r' && PeekChar() == '\n') Read();
            _lastWidth = record.Count;
            return record;
        }
    }

    public void Dispose() => reader.Dispose();
}
