using DbxSync.Azure.Storage.Tables;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class TableKeysTests
{
    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u0085b")]
    public void Forbidden_characters_are_rejected_with_a_clear_message(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => TableKeys.Validate(key, "RowKey"));
        Assert.Equal("RowKey", error.ParamName);
        Assert.Contains("RowKey must not contain", error.Message);
    }

    [Fact]
    public void Keys_longer_than_1_KiB_are_rejected()
    {
        TableKeys.Validate(new string('k', 1024), "PartitionKey");
        var error = Assert.Throws<ArgumentException>(() => TableKeys.Validate(new string('k', 1025), "PartitionKey"));
        Assert.Contains("at most 1024", error.Message);
    }

    [Theory]
    [InlineData("", "(PartitionKey='',RowKey='')")]
    [InlineData("it's", "(PartitionKey='it%27%27s',RowKey='it%27%27s')")]
    [InlineData("a b+c%", "(PartitionKey='a%20b%2Bc%25',RowKey='a%20b%2Bc%25')")]
    [InlineData("ü", "(PartitionKey='%C3%BC',RowKey='%C3%BC')")]
    public void Entity_paths_double_quotes_then_percent_encode(string key, string expected)
    {
        Assert.Equal(expected, TableKeys.EntityPath(key, key));
    }

    [Fact]
    public void Filter_literals_are_typed_and_escaped()
    {
        Assert.Equal("PartitionKey eq 'o''brien'", TableFilter.Equal("PartitionKey", "o'brien"));
        Assert.Equal("42L", TableFilter.Literal(42L));
        Assert.Equal("1.0", TableFilter.Literal(1.0));
        Assert.Equal("X'0AFF'", TableFilter.Literal(new byte[] { 10, 255 }));
        Assert.Equal("RowKey ge 'ab' and RowKey lt 'ac'", TableFilter.StartsWith("RowKey", "ab"));
    }

    [Fact]
    public void Continuation_tokens_round_trip_with_and_without_a_row_key()
    {
        var both = new TableContinuation("1!4!cA--", "cA==");
        Assert.Equal(both, TableContinuation.Parse(both.ToToken()));
        var partitionOnly = new TableContinuation("p", null);
        Assert.Equal(partitionOnly, TableContinuation.Parse(partitionOnly.ToToken()));
        var emptyRow = new TableContinuation("p", "");
        Assert.Equal(emptyRow, TableContinuation.Parse(emptyRow.ToToken()));
        Assert.Throws<ArgumentException>(() => TableContinuation.Parse("a.b.c"));
    }
}
