using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>How the Databricks SDK for Python signs in with a host, a client id and a secret (replayed from its sources).</summary>
public static class PythonSdkAuth
{
    /// <summary>
    /// Config.__init__ -> _resolve_host_metadata (config.py l. 631): GET {host}/.well-known/databricks-config, unauthenticated;
    /// discovery_url = oidc_endpoint + "/.well-known/oauth-authorization-server". oauth_service_principal
    /// (credentials_provider.py l. 238) -> get_endpoints_from_url (oauth.py l. 488) -> ClientCredentials with use_header=True:
    /// Basic client_id:client_secret, form grant_type=client_credentials&amp;scope=all-apis.
    /// The token ends up as the workspace client's Authorization header.
    /// </summary>
    public static async Task AuthenticateAsync(HttpClient workspace, EmulatorHandle handle)
    {
        var host = handle.BaseUrl.ToString().TrimEnd('/');
        var metadata = await workspace.GetFromJsonAsync<JsonElement>(host + "/.well-known/databricks-config");
        var discoveryUrl = metadata.GetProperty("oidc_endpoint").GetString()!.Replace("{account_id}", "").TrimEnd('/') + "/.well-known/oauth-authorization-server";
        var endpoints = await workspace.GetFromJsonAsync<JsonElement>(discoveryUrl);

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, endpoints.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "all-apis" }),
        };
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{handle.ClientId}:{handle.ClientSecret}")));
        using var tokenResponse = await workspace.SendAsync(tokenRequest);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        workspace.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(token.GetProperty("token_type").GetString()!, token.GetProperty("access_token").GetString());
    }
}
