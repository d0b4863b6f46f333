using System.Net;
using System.Net.Http.Headers;
using DbxSync.Functions.Api.Auth;
using Microsoft.Extensions.Configuration;
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
    public async Task Health_needs_no_token()
        => Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/api/health")).StatusCode);

    [Theory]
    // The removed host mode (it trusted a mere x-functions-key header) and easyauth where nothing strips client-sent
    // identity headers (locally, without the local host's stand-in) stop the app instead of serving.
    [InlineData("host", "Development", null, "was removed")]
    [InlineData("host", null, "True", "was removed")]
    [InlineData("easyauth", "Development", null, "--easyauth-stand-in")]
    [InlineData("easyauth", "Development", "False", "--easyauth-stand-in")]
    [InlineData("nope", null, null, "not one of tokens, easyauth")]
    public void Configurations_that_would_open_the_api_refuse_to_start(string mode, string? environment, string? platformAuth, string message)
    {
        var result = Validate(mode, environment, platformAuth);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokens", "Development", null)]
    [InlineData("easyauth", "Development", "True")]
    // In Azure (not Development) App Service Authentication, which the Bicep turns on with the mode, strips the headers.
    [InlineData("easyauth", null, null)]
    public void Safe_configurations_start(string mode, string? environment, string? platformAuth)
        => Assert.True(Validate(mode, environment, platformAuth).Succeeded);

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(string mode, string? environment, string? platformAuth)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ApiAuthOptionsValidation.EnvironmentSetting] = environment,
            [ApiAuthOptionsValidation.AuthEnabledSetting] = platformAuth,
        }).Build();
        return new ApiAuthOptionsValidation(configuration).Validate(null, new ApiAuthOptions { AuthMode = mode });
    }

    [Fact]
    public async Task Bearer_scheme_is_case_insensitive()
    {
        var client = Fixture.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + ApiFixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Route)).StatusCode);
    }
}
