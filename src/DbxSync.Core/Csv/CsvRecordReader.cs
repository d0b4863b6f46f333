using System.Text;

namespace DbxSync.Core.Csv;

/// <summary>A CSV syntax problem at a line (1-based, physical lines of the file).</summary>
public sealed class CsvFormatException(long line, string message) : Exception($"line {line}: {message}")
{
    public long Line { get; } = line;
    public string Reason { get; } = message;
}

/// <summary>
/// Streaming RFC 4180 reader: quoted fields with doubled quotes and embedded line breaks; CRLF, LF or CR line
/// ends. Reports, for each record, the physical line it starts on so errors can name it.
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _pos, _len;
    private long _line = 1;
    private readonly StringBuilder _field = new();

    /// <summary>Line on which the last record returned by <see cref="Read"/> started.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The physical line the reader is on now (for errors raised while decoding).</summary>
    public long CurrentLine => _line;

    /// <summary>Reads the next record into a new list, or returns null at the end of input.</summary>
    public List<string>? Read()
    {
        if (!Fill()) return null;
        RecordLine = _line;
        var fields = new List<string>();
        while (true)
        {
            var (value, end) = ReadField();
            fields.Add(value);
            if (end != FieldEnd.Comma) return fields;
        }
    }

    private enum FieldEnd { Comma, Record }

    private (string, FieldEnd) ReadField()
    {
        _field.Clear();
        if (!Fill()) return ("", FieldEnd.Record);
        if (_buffer[_pos] == '"')
        {
            var startLine = _line;
            _pos++;
            while (true)
            {
                if (!Fill()) throw new CsvFormatException(startLine, "a quoted field is not closed before the end of the file");
                var c = _buffer[_pos++];
                if (c == '"')
                {
                    if (Fill() && _buffer[_pos] == '"') { _field.Append('"'); _pos++; continue; }
                    break;
                }
                if (c == '\n' || (c == '\r' && !(Fill() && _buffer[_pos] == '\n'))) _line++;
                _field.Append(c);
            }
            if (!Fill()) return (_field.ToString(), FieldEnd.Record);
            var next = _buffer[_pos];
            if (next == ',') { _pos++; return (_field.ToString(), FieldEnd.Comma); }
            if (next is '\r' or '\n') { ConsumeLineEnd(); return (_field.ToString(), FieldEnd.Record); }
            throw new CsvFormatException(_line, $"unexpected character '{next}' after a closing quote");
        }
        while (true)
        {
            if (!Fill()) return (_field.ToString(), FieldEnd.Record);
            // Scan a run of plain characters at once: most fields have no special character.
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var stop = span.IndexOfAny(",\r\n\"");
            if (stop < 0) { _field.Append(span); _pos = _len; continue; }
            _field.Append(span[..stop]);
            _pos += stop;
            var c = _buffer[_pos];
            if (c == ',') { _pos++; return (_field.ToString(), FieldEnd.Comma); }
            if (c == '"') throw new CsvFormatException(_line, "a quote inside an unquoted field (quote the field and double the quote)");
            ConsumeLineEnd();
            return (_field.ToString(), FieldEnd.Record);
        }
    }

    private void ConsumeLineEnd()
    {
        var c = _buffer[_pos++];
        if (c == '\r' && Fill() && _buffer[_pos] == '\n') _pos++;
        _line++;
    }

    private bool Fill()
    {
        if (_pos < _len) return true;
        _len = reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        return _len > 0;
    }
}
