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
    public async Task Health_needs_no_token()
        => Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/api/health")).StatusCode);

    [Fact]
    public async Task Easyauth_accepts_only_the_configured_applications_and_principals()
    {
        const string allowedApp = "11111111-1111-1111-1111-111111111111";
        const string allowedPrincipal = "22222222-2222-2222-2222-222222222222";
        await using var own = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>
        {
            ["DbxSync__Api__AuthMode"] = "easyauth",
            ["DbxSync__Api__AllowedApplicationIds"] = allowedApp,
            ["DbxSync__Api__AllowedPrincipalIds"] = allowedPrincipal,
        }, waitForStorage: false);

        async Task<HttpStatusCode> CallAsync(string? principalId, string? appId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Route);
            if (principalId is not null) request.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", principalId);
            if (appId is not null) request.Headers.Add("X-MS-CLIENT-PRINCIPAL", EasyAuthClaims(appId, principalId ?? Guid.NewGuid().ToString()));
            using var response = await own.Anonymous.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Unauthorized) await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            return response.StatusCode;
        }

        // Another principal of the same tenant, signed in but not configured: refused, as is no principal at all.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Guid.NewGuid().ToString(), Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Guid.NewGuid().ToString(), null));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(null, null));
        // The configured principal, or a token issued to the configured application.
        Assert.Equal(HttpStatusCode.OK, await CallAsync(allowedPrincipal, null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(Guid.NewGuid().ToString(), allowedApp));
    }

    /// <summary>X-MS-CLIENT-PRINCIPAL as App Service Authentication writes it: base64 JSON with the token's claims.</summary>
    private static string EasyAuthClaims(string appId, string objectId)
        => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = "appid", val = appId }, new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId } },
            name_typ = "name",
            role_typ = "roles",
        })));

    [Fact]
    public async Task Bearer_scheme_is_case_insensitive()
    {
        var client = Fixture.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + ApiFixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Route)).StatusCode);
    }
}
