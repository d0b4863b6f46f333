using System.Net;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// Non-2xx answers carry the platform error envelope {error_code, message} (docs.databricks.com/api/workspace
/// "Error handling"; shared/fixtures/databricks/errors/03_http_404_resource_does_not_exist_with_details.json),
/// including routes that look like files, which ASP.NET Core's default fallback used to leave as an empty 404.
/// </summary>
public sealed class ErrorBodyTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;

    [Theory]
    [InlineData("POST", "/api/2.0/fs/files/Volumes/main/sync/staging/big.bin?action=bogus", 400, "INVALID_PARAMETER_VALUE")]
    [InlineData("POST", "/api/2.0/fs/files/Volumes/main/sync/staging/big.bin", 400, "INVALID_PARAMETER_VALUE")]
    [InlineData("PATCH", "/api/2.0/fs/files/Volumes/main/sync/staging/big.bin?action=initiate-upload", 404, "ENDPOINT_NOT_FOUND")]
    [InlineData("GET", "/api/2.0/fs/no-such-api/big.bin?action=x", 404, "ENDPOINT_NOT_FOUND")]
    [InlineData("POST", "/api/3.0/fs/files/Volumes/main/sync/staging/big.bin?action=initiate-upload", 404, "ENDPOINT_NOT_FOUND")]
    [InlineData("GET", "/no/such/route.json", 404, "ENDPOINT_NOT_FOUND")]
    public async Task Unknown_routes_and_actions_answer_the_json_envelope(string method, string path, int status, string errorCode)
    {
        using var response = await Host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.Equal(errorCode, body.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }
}
