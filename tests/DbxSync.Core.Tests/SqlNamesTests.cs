using DbxSync.Core.Errors;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Tests;

public class SqlNamesTests
{
    [Theory]
    [InlineData("main.default.items", "`main`.`default`.`items`")]
    [InlineData("cat-1.my_schema.t2", "`cat-1`.`my_schema`.`t2`")]
    public void Table_names_are_validated_and_quoted_per_part(string input, string quoted)
        => Assert.Equal(quoted, TableName.Parse(input).Quoted);

    [Theory]
    [InlineData("main.default")]
    [InlineData("main.default.items.extra")]
    [InlineData("main.default.it`ems")]
    [InlineData("main.default.items; DROP TABLE x")]
    [InlineData("main..items")]
    [InlineData("main.default.it ems")]
    public void Bad_table_names_are_refused(string input)
        => Assert.Throws<ValidationException>(() => TableName.Parse(input));

    [Theory]
    [InlineData("/Volumes/main/default/files", "main.default.files", "/Volumes/main/default/files")]
    [InlineData("/Volumes/main/default/files/in/2026/", "main.default.files", "/Volumes/main/default/files/in/2026")]
    public void Volume_paths_parse(string input, string fullName, string path)
    {
        var v = VolumePath.Parse(input);
        Assert.Equal(fullName, v.FullName);
        Assert.Equal(path, v.Path);
    }

    [Theory]
    [InlineData("/Volumes/main/default")]
    [InlineData("/Volumes/main/default/files/../other")]
    [InlineData("/Volumes/main/default/files/./x")]
    [InlineData("/Workspace/main/default/files")]
    [InlineData("Volumes/main/default/files")]
    [InlineData("/Volumes/main/default/files//x")]
    public void Bad_volume_paths_are_refused(string input)
        => Assert.Throws<ValidationException>(() => VolumePath.Parse(input));

    [Theory]
    [InlineData("a/b/c.txt", true)]
    [InlineData("file with space.csv", true)]
    [InlineData("../etc/passwd", false)]
    [InlineData("a/../../b", false)]
    [InlineData("/abs/path", false)]
    [InlineData("a//b", false)]
    [InlineData("a\\..\\b", false)]
    [InlineData("C:evil", false)]
    public void Relative_paths_refuse_traversal(string path, bool safe)
        => Assert.Equal(safe, RelativePath.IsSafe(path));

    [Fact]
    public void Combine_keeps_paths_below_the_volume()
    {
        var v = VolumePath.Parse("/Volumes/c/s/v/base");
        Assert.Equal("/Volumes/c/s/v/base/x/y.bin", v.Combine("x/y.bin"));
        Assert.Throws<ValidationException>(() => v.Combine("../../../w/x"));
    }
}
