using System.Net;
using System.Net.Http.Headers;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/service-principals";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dXNlcjpwdw==")]
    public async Task Missing_or_invalid_credentials_are_401_with_challenge(string? authorization)
    {
        var client = Fixture.CreateClient();
        if (authorization is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        foreach (var path in new[] { Route, "/api/databricks/sync-configs", "/api/openapi.json", "/api/no/such/route" })
        {
            var response = await client.GetAsync(path);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task Read_only_token_reads_but_cannot_write()
    {
        Assert.Equal(HttpStatusCode.OK, (await Fixture.Reader.GetAsync(Route)).StatusCode);
        var write = await Fixture.Reader.PostAsync(Route, Json(new { workspace_url = Fixture.WorkspaceUrl, token = Fixture.PersonalAccessToken }));
        await AssertProblemAsync(write, HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await Fixture.Reader.DeleteAsync($"{Route}/{Guid.NewGuid()}"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Health_and_trigger_endpoints_need_no_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/api/health")).StatusCode);
        var timer = await Fixture.Anonymous.PostAsync("/SyncTimer", Json("""{"Data":{"timer":{"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}"""));
        Assert.Equal(HttpStatusCode.OK, timer.StatusCode);
    }

    [Fact]
    public async Task Bearer_scheme_is_case_insensitive()
    {
        var client = Fixture.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + ApiFixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Route)).StatusCode);
    }
}
