using System.Net;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>annotations_reverse through the real worker under the local host: API config, blob trigger, table preview.</summary>
[Collection(ApiCollection.Name)]
public sealed class DatasetsApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Configs = "/api/databricks/sync-configs";

    [Fact]
    public async Task Annotations_dropped_in_blob_storage_land_in_the_table_the_preview_shows()
    {
        var principal = Id(await RegisterPrincipalAsync("datasets"));
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var response = await Admin.PostAsync(Configs, Json(new
        {
            name = "annotations back", config_type = "annotations_reverse", service_principal_id = principal,
            inputs_table = $"main.default.inputs_{suffix}", annotations_table = $"main.default.annotations_{suffix}",
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var config = await ReadJsonAsync(response);
        var id = Id(config);
        Assert.Equal($"main.default.annotations_{suffix}", config.GetProperty("databricks_path").GetString());
        Assert.Equal($"main.default.inputs_{suffix}", config.GetProperty("inputs_table").GetString());

        // Before the first import the tables do not exist yet: a clear 404, not an empty grid.
        await AssertProblemAsync(await Admin.GetAsync($"{Configs}/{id}/preview"), HttpStatusCode.NotFound, "table-not-found");

        await Fixture.UploadAsync("annotations", $"{id}/export-1.jsonl",
            """
            {"annotation_id":"a1","input_id":"img/1.jpg","concepts":["cat"],"modified_at":"2026-04-01T10:00:00Z"}
            {"annotation_id":"a2","input_id":"img/2.jpg","concepts":["dog"],"region":{"bounding_box":{"top_row":0,"left_col":0,"bottom_row":1,"right_col":1}},"modified_at":"2026-04-01T10:00:01Z"}
            """);
        var run = await WaitForAnyRunAsync(id);
        Assert.Equal("blob_event", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("outcome").GetString() == "succeeded", run.ToString());
        Assert.Equal(2, run.GetProperty("inserted_rows").GetInt64());

        var preview = await ReadJsonAsync(await Admin.GetAsync($"{Configs}/{id}/preview"));
        Assert.Equal($"main.default.annotations_{suffix}", preview.GetProperty("table").GetString());
        var columns = preview.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        var ids = preview.GetProperty("rows").EnumerateArray().Select(r => r[columns.IndexOf("annotation_id")].GetString()).Order().ToList();
        Assert.Equal(["a1", "a2"], ids);
        var inputs = await ReadJsonAsync(await Admin.GetAsync($"{Configs}/{id}/preview?table=inputs"));
        Assert.Equal(2, inputs.GetProperty("rows").GetArrayLength());
        await AssertProblemAsync(await Admin.GetAsync($"{Configs}/{id}/preview?table=other"), HttpStatusCode.BadRequest, "validation-error", "table");

        // The same table twice is refused, as Clarifai's UI refuses it.
        await AssertProblemAsync(await Admin.PostAsync(Configs, Json(new
        {
            name = "same twice", config_type = "annotations_reverse", service_principal_id = principal,
            inputs_table = $"main.default.x_{suffix}", annotations_table = $"main.default.x_{suffix}",
        })), HttpStatusCode.BadRequest, "validation-error", "annotations_table");
    }
}
