using DbxSync.Core.Ports;
using DbxSync.Core.Syncs.LabeledImport;

namespace DbxSync.Core.Tests;

/// <summary>Labeled values are accepted only in the forms Databricks' ANSI CAST accepts (functions/cast.html).</summary>
public class AnsiDateTimeTextTests
{
    private static string? Check(string type, string value) => new ColumnValue(new TableColumn("c", type, type.ToUpperInvariant(), 0, true)).Check(value, out _);

    [Theory]
    [InlineData("2024-01-02")]
    [InlineData("2024-1-2")]
    [InlineData("2024-01")]
    [InlineData("2024")]
    [InlineData("2024-01-02 10:11:12")]
    [InlineData("2024-01-02T10:11:12")]
    public void Dates_in_cast_forms_are_accepted(string value) => Assert.Null(Check("date", value));

    [Theory]
    [InlineData("1/2/2024")]
    [InlineData("Jan 2 2024")]
    [InlineData("2024-02-30")]
    [InlineData("02.01.2024")]
    public void Dates_the_cast_refuses_are_errors(string value) => Assert.NotNull(Check("date", value));

    [Theory]
    [InlineData("2024-01-02 10:11:12")]
    [InlineData("2024-01-02T10:11:12.123456Z")]
    [InlineData("2024-01-02 10:11:12+01:00")]
    [InlineData("2024-01-02 10:11")]
    [InlineData("2024-01-02")]
    [InlineData("2024-01-02T10:11:12 America/Los_Angeles")]
    public void Timestamps_in_cast_forms_are_accepted(string value) => Assert.Null(Check("timestamp", value));

    [Theory]
    [InlineData("1/2/2024")]
    [InlineData("Jan 2 2024")]
    [InlineData("1/2/2024 10:00 AM")]
    [InlineData("2024-01-02 25:00:00")]
    [InlineData("Tue, 02 Jan 2024 10:11:12 GMT")]
    public void Timestamps_the_cast_refuses_are_errors(string value) => Assert.NotNull(Check("timestamp", value));

    [Fact]
    public void The_same_instant_written_two_ways_is_one_key()
    {
        var column = new ColumnValue(new TableColumn("c", "timestamp", "TIMESTAMP", 0, true));
        column.Check("2024-01-02T10:00:00Z", out var a);
        column.Check("2024-01-02 11:00:00+01:00", out var b);
        Assert.Equal(a, b);
    }
}
