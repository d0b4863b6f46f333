using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>What the web console needs from the app: its files, the caller's access, one table's columns, a clear in-use refusal.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConsoleApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Principals = "/api/databricks/service-principals";

    [Fact]
    public async Task Me_tells_each_caller_its_access_without_requiring_credentials()
    {
        foreach (var (client, access, canWrite) in new[] { (Fixture.Anonymous, "none", false), (Fixture.Reader, "read_only", false), (Fixture.Admin, "full", true) })
        {
            var response = await client.GetAsync("/api/me");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var me = await ReadJsonAsync(response);
            Assert.Equal("tokens", me.GetProperty("auth_mode").GetString());
            Assert.Equal(access, me.GetProperty("access").GetString());
            Assert.Equal(canWrite, me.GetProperty("can_write").GetBoolean());
        }
    }

    [Fact]
    public async Task The_console_is_served_at_the_app_url_with_versioned_immutable_assets()
    {
        // Old links to /api/console/ (and below it) land on the console at /.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Fixture.BaseAddress };
        foreach (var old in new[] { "/api/console", "/api/console/", "/api/console/assets/000000000000/app.js" })
        {
            var redirect = await noRedirects.GetAsync(old);
            Assert.True(redirect.StatusCode == HttpStatusCode.MovedPermanently, $"{old}: got {(int)redirect.StatusCode}");
            Assert.Equal("/", redirect.Headers.Location?.OriginalString);
        }

        var index = await Fixture.Anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.True(index.Headers.CacheControl?.NoCache);
        Assert.Contains("default-src 'none'", string.Join(";", index.Headers.GetValues("Content-Security-Policy")));
        var html = await index.Content.ReadAsStringAsync();
        var script = Regex.Match(html, "src=\"(assets/[0-9a-f]{12}/app\\.js)\"");
        Assert.True(script.Success, html);

        var asset = await Fixture.Anonymous.GetAsync("/" + script.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", asset.Headers.CacheControl!.ToString());
        var again = new HttpRequestMessage(HttpMethod.Get, "/" + script.Groups[1].Value);
        again.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await Fixture.Anonymous.SendAsync(again)).StatusCode);

        // Another version (a stale tab) or a path outside the assets is not served.
        Assert.Equal(HttpStatusCode.NotFound, (await Fixture.Anonymous.GetAsync("/assets/000000000000/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Fixture.Anonymous.GetAsync("/assets/" + script.Groups[1].Value.Split('/')[1] + "/index.html")).StatusCode);
        // The root is the console's, but an unknown path beside it is the fallback's: a problem, after authentication.
        await AssertProblemAsync(await Fixture.Anonymous.GetAsync("/no-such-page"), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await Admin.GetAsync("/no-such-page"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task One_table_is_read_with_its_columns_and_their_types()
    {
        var principal = Id(await RegisterPrincipalAsync("columns"));
        var response = await Admin.GetAsync($"{Principals}/{principal}/catalogs/main/schemas/default/tables/items");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var table = await ReadJsonAsync(response);
        Assert.Equal(ApiFixture.Table, table.GetProperty("full_name").GetString());
        var columns = table.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("type_name").GetString()?.ToUpperInvariant())).ToList();
        Assert.Equal([("id", "LONG"), ("text", "STRING"), ("label", "STRING")], columns);

        await AssertProblemAsync(await Admin.GetAsync($"{Principals}/{principal}/catalogs/main/schemas/default/tables/nope"), HttpStatusCode.NotFound, "table-not-found");
        await AssertProblemAsync(await Admin.GetAsync($"{Principals}/{principal}/catalogs/main/schemas/default/tables/a%60b"), HttpStatusCode.BadRequest, "invalid-identifier", "table");
    }

    [Fact]
    public async Task A_table_export_reports_how_many_versions_it_trails()
    {
        var principal = Id(await RegisterPrincipalAsync("lag"));
        var export = Id(await CreateConfigAsync(principal, "table"));
        var response = await Admin.GetAsync($"/api/databricks/sync-configs/{export}/export-lag");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lag = await ReadJsonAsync(response);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lag.GetProperty("exported_version").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lag.GetProperty("versions_behind").ValueKind);
        var history = await Fixture.SqlAsync($"DESCRIBE HISTORY {ApiFixture.Table} LIMIT 1");
        Assert.Equal(long.Parse(history[0][0]!), lag.GetProperty("table_version").GetInt64());

        var volume = Id(await CreateConfigAsync(principal, "volume_forward"));
        await AssertProblemAsync(await Admin.GetAsync($"/api/databricks/sync-configs/{volume}/export-lag"), HttpStatusCode.BadRequest, "not-a-table-export", "config_type");
    }

    [Fact]
    public async Task Deleting_a_connection_in_use_names_every_config_that_uses_it()
    {
        var principal = Id(await RegisterPrincipalAsync("in use"));
        var export = await CreateConfigAsync(principal, "table");
        var import = await CreateConfigAsync(principal, "table_reverse");
        var problem = await AssertProblemAsync(await Admin.DeleteAsync($"{Principals}/{principal}"), HttpStatusCode.Conflict, "service-principal-in-use");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"'{export.GetProperty("name").GetString()}' ({Id(export)})", detail);
        Assert.Contains($"'{import.GetProperty("name").GetString()}' ({Id(import)})", detail);
    }
}
