using System.Text;
using DbxSync.Core.Ports;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Core.Syncs.TableExport;
using Moq;

namespace DbxSync.Core.Tests;

/// <summary>The app's CSV on CsvHelper: the labeled-file reader's rules and line numbers, the export writer's output.</summary>
public class CsvFilesTests
{
    private static async Task<List<(long Line, string[] Fields)>> ReadAll(byte[] bytes)
    {
        var records = new List<(long, string[])>();
        await using var file = LabeledFile.Open(new MemoryStream(bytes));
        while (await file.ReadAsync(CancellationToken.None) is { } r) records.Add((file.Line, r));
        return records;
    }

    private static Task<List<(long Line, string[] Fields)>> ReadAll(string text) => ReadAll(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Reads_quoted_fields_with_commas_quotes_and_line_breaks_skips_blank_lines_and_reports_start_lines()
    {
        var records = await ReadAll("id,text\r\n1,\"a, \"\"quoted\"\"\r\nsecond line\"\n\n2,plain\r3,\n");
        Assert.Equal(4, records.Count);
        Assert.Equal(["1", "a, \"quoted\"\r\nsecond line"], records[1].Fields);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(["2", "plain"], records[2].Fields);
        Assert.Equal(5, records[2].Line);
        Assert.Equal(["3", ""], records[3].Fields);
        Assert.Equal(6, records[3].Line);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,\"open\nstill open", 3)]
    [InlineData("a,b\n1,ab\"c\n", 2)]
    [InlineData("a,b\n1,\"ab\"c\n", 2)]
    public async Task Malformed_quoting_is_an_error_on_the_line_where_the_record_starts(string text, long line)
    {
        var ex = await Assert.ThrowsAsync<LabeledFileFormatException>(() => ReadAll(text));
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_multi_line_field_is_reported_on_its_own_line()
    {
        byte[] bytes = [.. "id,text\n1,\"first\nsecond "u8, 0xC3, 0x28, .. "\"\n"u8];
        var ex = await Assert.ThrowsAsync<LabeledFileFormatException>(() => ReadAll(bytes));
        Assert.Equal(3, ex.Line);
        Assert.Contains("UTF-8", ex.Reason);
    }

    [Fact]
    public async Task A_utf8_bom_is_skipped_and_a_utf16_one_is_refused()
    {
        var withBom = await ReadAll([0xEF, 0xBB, 0xBF, .. "id,label\n1,a\n"u8]);
        Assert.Equal(["id", "label"], withBom[0].Fields);
        var ex = await Assert.ThrowsAsync<LabeledFileFormatException>(() => ReadAll([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("id,label\n1,a\n")]));
        Assert.Contains("UTF-16", ex.Reason);
    }

    [Fact]
    public async Task Fields_longer_than_the_read_buffer_are_read_whole()
    {
        var big = new string('x', 200_000);
        var records = await ReadAll($"a\n\"{big}\"\n{big}\n");
        Assert.Equal(big, records[1].Fields[0]);
        Assert.Equal(big, records[2].Fields[0]);
    }

    [Fact]
    public async Task The_export_writer_is_rfc4180_utf8_quotes_only_when_needed_and_guards_only_guarded_columns()
    {
        var written = new MemoryStream();
        var blobs = new Mock<IBlobStore>();
        blobs.Setup(b => b.OpenWriteAsync("exports", "x.csv", It.IsAny<BlobWriteOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new MemoryBlobWriteStream(written));
        var rows = new[] { new string?[] { "=1+1", "=SUM(A1)", "-5", null, "say \"hi\"", "two\nlines", "Grüße" } }.ToAsyncEnumerable();

        var result = await CsvBlobWriter.WriteAsync(blobs.Object, "exports", "x.csv", ["id", "text", "score", "label", "q", "n", "u"], rows,
            [false, true, false, false, true, true, true], new BlobWriteOptions(), null, CancellationToken.None);

        var text = Encoding.UTF8.GetString(written.ToArray());
        Assert.Equal("id,text,score,label,q,n,u\r\n=1+1,'=SUM(A1),-5,,\"say \"\"hi\"\"\",\"two\nlines\",Grüße\r\n", text);
        Assert.Equal(1, result.Rows);
        Assert.Equal(written.Length, result.Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(written.ToArray())), result.Sha256);
    }

    private sealed class MemoryBlobWriteStream(MemoryStream target) : BlobWriteStream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => target.Length;
        public override long Position { get => target.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => target.Write(buffer, offset, count);
        public override Task<BlobItem> CommitAsync(CancellationToken cancellationToken = default)
            => Task.FromResult(new BlobItem("exports", "x.csv", target.Length, "etag", DateTimeOffset.UnixEpoch, "text/csv", new Dictionary<string, string>()));
    }
}
