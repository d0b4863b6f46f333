using DbxSync.Core.Syncs;

namespace DbxSync.Core.Tests;

public class RowMarkerTests
{
    [Fact]
    public void Version_2_takes_columns_in_name_order_so_a_moved_column_keeps_the_marker()
    {
        MarkerColumn[] tableOrder = [new("id", "BIGINT"), new("text", "STRING"), new("Score", "DOUBLE")];
        MarkerColumn[] moved = [new("Score", "DOUBLE"), new("id", "BIGINT"), new("text", "STRING")];
        Assert.Equal(RowMarker.Expression(tableOrder), RowMarker.Expression(moved));
        Assert.StartsWith("concat('v2:', md5(", RowMarker.Expression(tableOrder));
        // Version 1 (the formula files exported before carry) still follows table order.
        Assert.NotEqual(RowMarker.Expression(1, tableOrder), RowMarker.Expression(1, moved));
    }

    [Fact]
    public void Version_2_reads_instants_as_epoch_microseconds_and_nested_values_as_json_in_utc()
    {
        var sql = RowMarker.Expression([new("at", "timestamp"), new("local", "TIMESTAMP_NTZ"), new("tags", "map<string,string>"), new("doc", "VARIANT"), new("day", "DATE")]);
        Assert.Contains("CAST(unix_micros(`at`) AS STRING)", sql);
        // TIMESTAMP_NTZ and DATE text does not depend on the session time zone.
        Assert.Contains("CAST(`local` AS STRING)", sql);
        Assert.Contains("CAST(`day` AS STRING)", sql);
        Assert.Contains("to_json(`tags`, map('timeZone', 'UTC'))", sql);
        Assert.Contains("to_json(`doc`, map('timeZone', 'UTC'))", sql);
        Assert.DoesNotContain("CAST(`at` AS STRING)", sql);
    }

    [Theory]
    [InlineData("v2:0123456789abcdef0123456789abcdef", 2)]
    [InlineData("0123456789abcdef0123456789abcdef", 1)]
    [InlineData("v2:0123456789ABCDEF0123456789abcdef", null)]
    [InlineData("v3:0123456789abcdef0123456789abcdef", null)]
    [InlineData("0123456789abcdef", null)]
    public void A_marker_says_which_formula_made_it(string value, int? version)
        => Assert.Equal(version, RowMarker.VersionOf(value));
}
