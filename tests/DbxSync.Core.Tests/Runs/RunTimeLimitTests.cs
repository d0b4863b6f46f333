using DbxSync.Core.Runs;

namespace DbxSync.Core.Tests.Runs;

public sealed class RunTimeLimitTests
{
    [Theory]
    [InlineData("00:30:00", "00:27:00")] // Flex/Premium default: a tenth less
    [InlineData("00:10:00", "00:09:00")] // Consumption maximum: at least a minute less
    [InlineData("00:05:00", "00:04:00")]
    [InlineData("02:00:00", "00:55:00")] // capped
    [InlineData("00:01:00", "00:00:30")] // shorter than twice the margin: half of it
    public void The_limit_is_function_timeout_less_a_margin_and_capped(string functionTimeout, string expected)
        => Assert.Equal(TimeSpan.Parse(expected), RunTimeLimit.FromFunctionTimeout(TimeSpan.Parse(functionTimeout)));

    [Fact]
    public void An_unbounded_function_timeout_gives_the_cap_and_the_default_is_that_of_30_minutes()
    {
        Assert.Equal(RunTimeLimit.Cap, RunTimeLimit.FromFunctionTimeout(null));
        Assert.Equal(TimeSpan.FromMinutes(27), RunTimeLimit.Default);
    }

    [Fact]
    public void A_setting_may_shorten_the_limit_but_never_pass_the_function_timeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), RunTimeLimit.Resolve(TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromMinutes(27), RunTimeLimit.Resolve(TimeSpan.FromHours(3), TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromHours(3) > RunTimeLimit.Cap ? RunTimeLimit.Cap : TimeSpan.FromHours(3), RunTimeLimit.Resolve(TimeSpan.FromHours(3), null));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunTimeLimit.Resolve(TimeSpan.Zero, null));
    }
}
