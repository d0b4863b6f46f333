using System.Text;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Streaming RFC 4180 reader (quoted fields with embedded separators, doubled quotes and line breaks).
/// An unquoted empty field reads as null and a quoted empty field as "", matching how Spark's CSV source
/// tells missing values from empty strings.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, char separator = ',', char quote = '"') : IDisposable
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _length;
    private int _offset;
    private readonly StringBuilder _field = new();

    public static CsvRecordReader Open(string path, char separator = ',') =>
        new(new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), separator);

    private int Read()
    {
        if (_offset == _length)
        {
            _length = reader.Read(_buffer, 0, _buffer.Length);
            _offset = 0;
            if (_length <= 0) { _length = 0; return -1; }
        }
        return _buffer[_offset++];
    }

    private int PeekChar()
    {
        if (_offset == _length)
        {
            _length = reader.Read(_buffer, 0, _buffer.Length);
            _offset = 0;
            if (_length <= 0) { _length = 0; return -1; }
        }
        return _buffer[_offset];
    }

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

        var record = new List<string?>();
        while (true)
        {
            _field.Clear();
            var quoted = false;
            int c = Read();
            if (c == quote)
            {
                quoted = true;
                while (true)
                {
                    c = Read();
                    if (c == -1) break;
                    if (c == quote)
                    {
                        if (PeekChar() == quote) { Read(); _field.Append(quote); continue; }
                        c = Read();
                        break;
                    }
                    _field.Append((char)c);
                }
                // Tolerate stray characters after a closing quote rather than failing the whole file.
                while (c != -1 && c != separator && c != '\n' && c != '\r') { _field.Append((char)c); c = Read(); }
            }
            else
            {
                while (c != -1 && c != separator && c != '\n' && c != '\r') { _field.Append((char)c); c = Read(); }
            }

            record.Add(_field.Length == 0 && !quoted ? null : _field.ToString());
            if (c == separator) continue;
            if (c == '\r' && PeekChar() == '\n') Read();
            return record;
        }
    }

    public void Dispose() => reader.Dispose();
}
