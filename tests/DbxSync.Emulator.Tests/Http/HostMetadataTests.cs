using System.Net;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// GET /.well-known/databricks-config, the first call of current SDKs (databricks-sdk-py config.py
/// _resolve_host_metadata l. 631; databricks-sdk-go config/config.go resolveHostMetadata, config/host_metadata.go).
/// Shape: tests/fixtures/databricks/auth/05_host_metadata.json.
/// </summary>
public sealed class HostMetadataTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;

    [Fact]
    public async Task Host_metadata_is_served_without_credentials_in_the_sdk_shape()
    {
        using var response = await Host.Anonymous.GetAsync("/.well-known/databricks-config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await EmulatorTestHost.ReadJsonAsync(response);

        var expected = FixtureJson.LoadLocal("auth/05_host_metadata.json").GetProperty("workspace_go_sdk_stub");
        FixtureJson.AssertShape(expected, body, ignore: ["cloud", "host_type"]);
        // A workspace answers its own OIDC root, with no {account_id} template to fill in.
        Assert.Equal(Host.Handle.BaseUrl.ToString().TrimEnd('/') + "/oidc", body.GetProperty("oidc_endpoint").GetString());
        Assert.Matches("^[0-9]+$", body.GetProperty("workspace_id").GetString());
        Assert.Equal(response.Headers.GetValues("x-databricks-org-id").Single(), body.GetProperty("workspace_id").GetString());
    }

    [Fact]
    public async Task The_oidc_endpoint_leads_to_the_token_endpoint_the_way_the_sdks_follow_it()
    {
        var metadata = await EmulatorTestHost.ReadJsonAsync(await Host.Anonymous.GetAsync("/.well-known/databricks-config"));
        // sdk-py: discovery_url = oidc_endpoint.rstrip("/") + "/.well-known/oauth-authorization-server"
        var discoveryUrl = metadata.GetProperty("oidc_endpoint").GetString()!.TrimEnd('/') + "/.well-known/oauth-authorization-server";
        using var discovery = await Host.Anonymous.GetAsync(discoveryUrl);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        var tokenEndpoint = (await EmulatorTestHost.ReadJsonAsync(discovery)).GetProperty("token_endpoint").GetString();
        Assert.Equal(Host.Handle.BaseUrl + "oidc/v1/token", tokenEndpoint);
    }
}
