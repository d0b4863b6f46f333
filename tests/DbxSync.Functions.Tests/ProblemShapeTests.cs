using System.Net;
using System.Text;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class ProblemShapeTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Principals = "/api/databricks/service-principals";
    private const string Configs = "/api/databricks/sync-configs";

    [Fact]
    public async Task Malformed_json_is_400_malformed_json()
        => await AssertProblemAsync(await Admin.PostAsync(Configs, Json("""{"name": "x",""")), HttpStatusCode.BadRequest, "malformed-json");

    [Fact]
    public async Task Unknown_field_is_400_with_the_field()
        => await AssertProblemAsync(await Admin.PostAsync(Configs, Json("""{"name":"x","colour":"blue"}""")), HttpStatusCode.BadRequest, "unknown-field", "colour");

    [Fact]
    public async Task Unknown_field_on_principal_registration_is_400()
        => await AssertProblemAsync(await Admin.PostAsync(Principals, Json("""{"workspace_url":"https://a.azuredatabricks.net","secret_name":"x"}""")), HttpStatusCode.BadRequest, "unknown-field", "secret_name");

    [Theory]
    [InlineData("""{"poll_interval_seconds":"soon"}""", "poll_interval_seconds")]
    [InlineData("""{"use_staging":"yes"}""", "use_staging")]
    [InlineData("""{"name":42}""", "name")]
    public async Task Wrong_type_is_400_with_the_field_path(string body, string field)
    {
        var problem = await AssertProblemAsync(await Admin.PostAsync(Configs, Json(body)), HttpStatusCode.BadRequest, "invalid-field-type", field);
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_body_is_400()
    {
        await AssertProblemAsync(await Admin.PostAsync(Configs, null), HttpStatusCode.BadRequest, "missing-body");
        await AssertProblemAsync(await Admin.PostAsync(Configs, Json("")), HttpStatusCode.BadRequest, "missing-body");
        await AssertProblemAsync(await Admin.PostAsync(Configs, Json("null")), HttpStatusCode.BadRequest, "missing-body");
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var big = "{\"description\":\"" + new string('x', 70 * 1024) + "\"}";
        await AssertProblemAsync(await Admin.PostAsync(Configs, Json(big)), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Oversized_chunked_body_is_413()
    {
        var big = Encoding.UTF8.GetBytes("{\"description\":\"" + new string('x', 70 * 1024) + "\"}");
        var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, Configs) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await AssertProblemAsync(await Admin.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task A_5_MiB_body_gets_the_413_problem_through_the_host_20_times_in_a_row()
    {
        // Above the worker's server limit: the worker must read off the refused body, or the host's proxy sees a reset
        // connection while still sending and answers 502 with an empty body.
        var big = Encoding.UTF8.GetBytes("{\"description\":\"" + new string('x', 5 * 1024 * 1024) + "\"}");
        var statuses = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            var content = new ByteArrayContent(big);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await Admin.PostAsync(Configs, content);
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode != HttpStatusCode.RequestEntityTooLarge) continue;
            await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        }
        Assert.True(statuses.All(s => s == 413), "statuses: " + string.Join(", ", statuses));
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
        => await AssertProblemAsync(await Admin.PostAsync(Configs, new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Fact]
    public async Task Unknown_route_under_api_is_404_problem()
        => await AssertProblemAsync(await Admin.GetAsync("/api/databricks/nothing-here"), HttpStatusCode.NotFound, "not-found");

    [Fact]
    public async Task Unreachable_storage_is_503_storage_unavailable()
    {
        await using var broken = await ApiFixture.StartWithUnreachableDependenciesAsync();
        var response = await broken.CreateClient(ApiFixture.AdminToken).GetAsync(Principals);
        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "storage-unavailable");
        Assert.DoesNotContain("127.0.0.1", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_405_problem()
        => await AssertProblemAsync(await Admin.DeleteAsync(Configs), HttpStatusCode.MethodNotAllowed, "method-not-allowed");
}
