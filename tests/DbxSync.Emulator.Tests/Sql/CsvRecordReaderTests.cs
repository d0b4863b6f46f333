using DbxSync.Emulator.Sql;
using Xunit;

namespace DbxSync.Emulator.Tests.Sql;

public sealed class CsvRecordReaderTests
{
    private static List<string> Records(string text, int bufferSize, char separator = ',')
    {
        var reader = new CsvRecordReader(new StringReader(text), separator, '"', bufferSize);
        var records = new List<string>();
        while (reader.ReadRecord() is { } record) records.Add(string.Join("|", record.Select(f => f == null ? "<null>" : "[" + f + "]")));
        return records;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(65536)]
    public void Fields_split_across_buffer_refills_read_the_same(int bufferSize)
    {
        const string text = "id,label\r\n1,\"a, \"\"quoted\"\"\nline\"\n\n2,,\"\"\r3,plain text,x\"y\n\"q\"tail,last";
        Assert.Equal(
        [
            "[id]|[label]",
            "[1]|[a, \"quoted\"\nline]",
            "[2]|<null>|[]",
            "[3]|[plain text]|[x\"y]",
            "[qtail]|[last]",
        ], Records(text, bufferSize));
        Assert.Equal(["[a]|[b,c]|<null>"], Records("a;b,c;", bufferSize, ';'));
        Assert.Equal(["[unterminated\n]"], Records("\"unterminated\n", bufferSize));
    }
}
