using System.Text;
using DbxSync.Core.Csv;

namespace DbxSync.Core.Tests;

public class CsvTests
{
    private static List<(long Line, List<string> Fields)> ReadAll(string text)
    {
        var reader = new CsvRecordReader(new StringReader(text));
        var records = new List<(long, List<string>)>();
        while (reader.Read() is { } r) records.Add((reader.RecordLine, r));
        return records;
    }

    [Fact]
    public void Reads_quoted_fields_with_commas_quotes_and_line_breaks_and_reports_start_lines()
    {
        var records = ReadAll("id,text\r\n1,\"a, \"\"quoted\"\"\r\nsecond line\"\n2,plain\r3,\n");
        Assert.Equal(4, records.Count);
        Assert.Equal(["1", "a, \"quoted\"\r\nsecond line"], records[1].Fields);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(4, records[2].Line);
        Assert.Equal(["2", "plain"], records[2].Fields);
        Assert.Equal(["3", ""], records[3].Fields);
        Assert.Equal(5, records[3].Line);
    }

    [Fact]
    public void Unclosed_quote_names_the_line_where_the_field_started()
    {
        var ex = Assert.Throws<CsvFormatException>(() => ReadAll("a,b\n1,2\n3,\"open\nstill open"));
        Assert.Equal(3, ex.Line);
    }

    [Fact]
    public void Quote_inside_unquoted_field_is_an_error_on_its_line()
    {
        var ex = Assert.Throws<CsvFormatException>(() => ReadAll("a,b\n1,ab\"c\n"));
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Writer_quotes_only_when_needed_writes_null_as_empty_and_round_trips()
    {
        var sb = new StringBuilder();
        var writer = new CsvRecordWriter(new StringWriter(sb));
        writer.WriteRecord(["1", null, "x,y", "say \"hi\"", "two\nlines"]);
        Assert.Equal("1,,\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n", sb.ToString());
        var back = ReadAll(sb.ToString());
        Assert.Equal(["1", "", "x,y", "say \"hi\"", "two\nlines"], back[0].Fields);
    }

    [Fact]
    public void Spreadsheet_guard_defuses_formulas_only_in_guarded_columns()
    {
        var sb = new StringBuilder();
        new CsvRecordWriter(new StringWriter(sb)).WriteRecord(["=SUM(A1)", "-5", "@x", "+1"], [true, false, true, true]);
        Assert.Equal("'=SUM(A1),-5,'@x,'+1\r\n", sb.ToString());
    }

    [Fact]
    public void Reader_handles_fields_longer_than_its_buffer()
    {
        var big = new string('x', 200_000);
        var records = ReadAll($"a\n\"{big}\"\n{big}\n");
        Assert.Equal(big, records[1].Fields[0]);
        Assert.Equal(big, records[2].Fields[0]);
    }
}
