using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DbxSync.Emulator.Tests.Http;

public sealed class AuthTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;

    [Fact]
    public async Task Discovery_points_at_this_servers_token_endpoint()
    {
        using var response = await Host.Anonymous.GetAsync("/oidc/.well-known/oauth-authorization-server");
        var body = await EmulatorTestHost.ReadJsonAsync(response);

        FixtureJson.AssertShape(FixtureJson.Load("auth/02_oidc_discovery_response.json").At("response", "body"), body);
        Assert.Equal(new Uri(Host.Handle.BaseUrl, "/oidc/v1/token").ToString(), body.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Token_with_basic_client_auth_matches_fixture_and_unlocks_the_api()
    {
        var token = await Host.GetOAuthTokenAsync();

        using var client = new HttpClient { BaseAddress = Host.Handle.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/2.0/sql/warehouses");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Token_response_has_fixture_shape_and_configured_lifetime()
    {
        using var response = await Host.Anonymous.PostAsync("/oidc/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "all-apis",
            ["client_id"] = Host.Handle.ClientId,
            ["client_secret"] = Host.Handle.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);

        FixtureJson.AssertShape(FixtureJson.Load("auth/03_token_response.json").GetProperty("python_sdk_stub"), body);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("all-apis", body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Wrong_secret_is_invalid_client_401_in_rfc6749_shape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oidc/v1/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "all-apis" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Host.Handle.ClientId}:wrong")));
        using var response = await Host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        FixtureJson.AssertShape(FixtureJson.Load("auth/04_token_error_responses.json").GetProperty("java_sdk_stub"), body, exact: true);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unsupported_grant_type_is_rejected()
    {
        using var response = await Host.Anonymous.PostAsync("/oidc/v1/token",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Missing_credential_is_gateway_401_as_recorded()
    {
        using var response = await Host.Anonymous.GetAsync("/api/2.0/sql/warehouses");

        var fixture = FixtureJson.Load("errors/01_http_401_no_credential.json").GetProperty("response");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(fixture.At("headers", "www-authenticate").GetString(), response.Headers.WwwAuthenticate.ToString());
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.True(System.Text.Json.JsonElement.DeepEquals(fixture.GetProperty("body"), body), body.ToString());
        Assert.True(response.Headers.Contains("x-request-id"));
    }

    [Fact]
    public async Task Unknown_token_is_gateway_403_as_recorded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/sql/warehouses");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "dapi-not-a-real-token");
        using var response = await Host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var fixture = FixtureJson.Load("errors/02_http_403_invalid_access_token.json").At("response", "body");
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.True(System.Text.Json.JsonElement.DeepEquals(fixture, body), body.ToString());
    }

    [Fact]
    public async Task Basic_auth_on_api_routes_is_an_unsupported_credential()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/sql/warehouses");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        using var response = await Host.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Expired_oauth_token_is_403()
    {
        await using var host = await EmulatorTestHost.StartAsync(options => options.TokenLifetime = TimeSpan.FromSeconds(1));
        var token = await host.GetOAuthTokenAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/sql/warehouses");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Invalid access token.", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Warehouse_is_listed_running_with_a_16_hex_id()
    {
        var list = await Host.GetJsonAsync("/api/2.0/sql/warehouses");
        var warehouse = Assert.Single(list.GetProperty("warehouses").EnumerateArray());
        Assert.Matches("^[0-9a-f]{16}$", warehouse.GetProperty("id").GetString());
        Assert.Equal("RUNNING", warehouse.GetProperty("state").GetString());

        var single = await Host.GetJsonAsync($"/api/2.0/sql/warehouses/{Host.Handle.WarehouseId}");
        Assert.Equal(Host.Handle.WarehouseId, single.GetProperty("id").GetString());
        using var missing = await Host.Client.GetAsync("/api/2.0/sql/warehouses/0000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Credentials_file_holds_the_provisioned_defaults()
    {
        var path = Path.Combine(Path.GetTempPath(), "dbxsync-creds-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            await using var host = await EmulatorTestHost.StartAsync(options =>
            {
                options.CredentialsOutputPath = path;
                options.ServicePrincipals.Add(new ServicePrincipalOptions { ClientId = "11111111-2222-3333-4444-555555555555", ClientSecret = "s3cret" });
            });
            var content = Provisioning.CredentialsFile.Read(path);
            Assert.Equal("11111111-2222-3333-4444-555555555555", content.ClientId);
            Assert.Equal("s3cret", content.ClientSecret);
            Assert.Equal(host.Handle.PersonalAccessToken, content.Token);
            Assert.Equal(host.Handle.WarehouseId, content.WarehouseId);
            Assert.Equal(host.Handle.BaseUrl, new Uri(content.Host + "/"));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
