using System.Text;
using DbxSync.Core.Syncs.Annotations;

namespace DbxSync.Core.Tests;

/// <summary>The JSON Lines checks of an annotation file: every problem named with its line and field, nothing half-accepted.</summary>
public class AnnotationValidationTests
{
    private static Task<AnnotationValidation> Validate(string text) => Validate(Encoding.UTF8.GetBytes(text));
    private static Task<AnnotationValidation> Validate(byte[] bytes) => AnnotationValidation.ValidateAsync(new MemoryStream(bytes), CancellationToken.None);

    private const string Good = """{"annotation_id":"a1","input_id":"i/1.jpg","concepts":["cat"],"modified_at":"2026-01-01T00:00:00Z"}""";

    [Fact]
    public async Task A_valid_file_counts_its_records_and_skips_blank_lines_and_a_utf8_bom()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Good + "\n\n   \n" + Good.Replace("a1", "a2") + "\r\n")).ToArray();
        var result = await Validate(bytes);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(2, result.Records);
    }

    [Theory]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"modified_at":"2026-01-01T00:00:00"}""", "modified_at")] // no offset
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"modified_at":"01/01 10:00"}""", "modified_at")] // Clarifai's module's own format
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"modified_at":"2026-01-01T00:00:00.1234567Z"}""", "modified_at")] // below Databricks' precision
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[]}""", "modified_at")]
    [InlineData("""{"annotation_id":"","input_id":"i","concepts":[],"modified_at":"2026-01-01T00:00:00Z"}""", "annotation_id")]
    [InlineData("""{"annotation_id":7,"input_id":"i","concepts":[],"modified_at":"2026-01-01T00:00:00Z"}""", "annotation_id")]
    [InlineData("""{"annotation_id":"a","concepts":[],"modified_at":"2026-01-01T00:00:00Z"}""", "input_id")]
    [InlineData("""{"annotation_id":"a","input_id":"i","modified_at":"2026-01-01T00:00:00Z"}""", "concepts")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":"cat","modified_at":"2026-01-01T00:00:00Z"}""", "concepts")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[""],"modified_at":"2026-01-01T00:00:00Z"}""", "concepts")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"deleted":"yes","modified_at":"2026-01-01T00:00:00Z"}""", "deleted")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"metadata":[1],"modified_at":"2026-01-01T00:00:00Z"}""", "metadata")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"region":{"bounding_box":{"top_row":0.5,"left_col":0,"bottom_row":0.2,"right_col":1}},"modified_at":"2026-01-01T00:00:00Z"}""", "region")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"region":{"bounding_box":{"top_row":0,"left_col":0,"bottom_row":1.5,"right_col":1}},"modified_at":"2026-01-01T00:00:00Z"}""", "region")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"region":{"polygon":{"points":[{"row":0,"col":0},{"row":1,"col":1}]}},"modified_at":"2026-01-01T00:00:00Z"}""", "region")]
    [InlineData("""{"annotation_id":"a","input_id":"i","concepts":[],"region":{"bounding_box":{"top_row":0,"left_col":0,"bottom_row":1,"right_col":1},"polygon":{"points":[]}},"modified_at":"2026-01-01T00:00:00Z"}""", "region")]
    public async Task A_bad_field_fails_the_file_naming_its_line_and_field(string bad, string field)
    {
        var result = await Validate(Good + "\n" + Good + "\n" + bad + "\n");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal(field, error.Column);
    }

    [Fact]
    public async Task A_tombstone_needs_no_concepts_and_offsets_and_microseconds_are_kept()
    {
        var tombstone = """{"annotation_id":"a","input_id":"i","deleted":true,"modified_at":"2026-03-01T10:00:00.123456+02:00"}""";
        var result = await Validate(tombstone);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var record = AnnotationLine.Parse(tombstone, 1, (_, _, m) => Assert.Fail(m))!;
        Assert.True(record.Deleted);
        Assert.Null(record.ConceptsJson);
        Assert.Equal("2026-03-01T08:00:00.123456Z", AnnotationLine.ToSqlTimestamp(record.ModifiedAt));
    }

    [Fact]
    public async Task Not_json_invalid_utf8_and_an_empty_file_are_refused_with_their_line()
    {
        var notJson = await Validate(Good + "\n{\"annotation_id\": \n");
        Assert.Equal(2, Assert.Single(notJson.Errors).Line);
        var bytes = Encoding.UTF8.GetBytes(Good + "\n" + Good + "\n").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();
        Assert.Equal(3, Assert.Single((await Validate(bytes)).Errors).Line);
        Assert.Contains("no annotations", Assert.Single((await Validate("\n\n")).Errors).Message);
        Assert.Equal("expected one JSON object per line", Assert.Single((await Validate("[1,2]")).Errors).Message);
    }

    [Theory]
    [InlineData("cfg/a.jsonl", true)]
    [InlineData("cfg/deep/a.NDJSON", true)]
    [InlineData("cfg/a.csv", false)]
    [InlineData("cfg/../other/a.jsonl", false)]
    [InlineData("cfg/a%2f.jsonl", false)]
    [InlineData("other/a.jsonl", false)]
    public void Only_json_lines_files_under_the_configs_own_folder_are_imported(string name, bool importable)
        => Assert.Equal(importable, AnnotationFile.IsImportable("cfg", name));
}
