using DbxSync.Core.Configs;

namespace DbxSync.Core.Tests;

public class NaturalOrderTests
{
    [Fact]
    public void Digit_runs_compare_by_value_and_letters_ignore_case()
    {
        var names = new[] { "so10", "so2", "so1", "So11", "so0", "so02", "a", "so", "so1b", "so1a", "so100000000000000000000001", "so99" };
        var sorted = names.OrderBy(n => n, NaturalOrder.Instance).ToArray();
        Assert.Equal(new[] { "a", "so", "so0", "so1", "so1a", "so1b", "so02", "so2", "so10", "So11", "so99", "so100000000000000000000001" }, sorted);
    }

    [Fact]
    public void Order_is_total_equal_only_for_equal_strings()
    {
        Assert.Equal(0, NaturalOrder.Instance.Compare("x7", "x7"));
        Assert.NotEqual(0, NaturalOrder.Instance.Compare("X7", "x7"));
        Assert.NotEqual(0, NaturalOrder.Instance.Compare("x07", "x7"));
    }
}
