using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// POST /api/2.0/fs/create-download-url and the presigned GET, as the Databricks SDK for Python uses them for every
/// download before it would fall back to the Files API GET (databricks-sdk-py @9ae2241 databricks/sdk/mixins/files.py
/// build_download_url l. 811, _init_download_response_presigned_api l. 2591, _open_download_stream l. 2527).
/// </summary>
public sealed class PresignedDownloadTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;
    private readonly string _dir = "/Volumes/main/sync/staging/dl-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> UploadAndGetUrlAsync(string path, string text)
    {
        (await Host.Client.PutAsync("/api/2.0/fs/files" + path.Replace(" ", "%20"), new ByteArrayContent(Encoding.UTF8.GetBytes(text)))).Dispose();
        using var response = await CreateUrlAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        FixtureJson.AssertShape(FixtureJson.LoadLocal("files/05_multipart_upload_presigned.json").GetProperty("create_download_url_response"), body, exact: true);
        return body.GetProperty("url").GetString()!;
    }

    // The SDK sends path and expire_time as query parameters and no body.
    private Task<HttpResponseMessage> CreateUrlAsync(string path) =>
        Host.Client.PostAsync($"/api/2.0/fs/create-download-url?path={Uri.EscapeDataString(path)}&expire_time={Uri.EscapeDataString((DateTimeOffset.UtcNow.AddHours(1)).ToString("yyyy-MM-ddTHH:mm:ssZ"))}", null);

    [Fact]
    public async Task Download_url_serves_the_file_without_a_token_with_the_headers_the_sdk_reads()
    {
        var url = await UploadAndGetUrlAsync(_dir + "/a b.csv", "id,label\n1,x\n");
        Assert.DoesNotContain("/api/", url);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        using var response = await Host.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("id,label\n1,x\n", await response.Content.ReadAsStringAsync());
        // DownloadResponse(content_length=int(headers["content-length"]), content_type, last_modified)
        Assert.Equal(13, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task Resuming_with_range_and_if_unmodified_since_works_and_a_changed_file_is_412()
    {
        var path = _dir + "/resume.txt";
        var url = await UploadAndGetUrlAsync(path, "0123456789");

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(4, null);
        ranged.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddMinutes(1);
        using (var partial = await Host.Anonymous.SendAsync(ranged))
        {
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal("456789", await partial.Content.ReadAsStringAsync());
        }

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddDays(-1);
        using var precondition = await Host.Anonymous.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, precondition.StatusCode);
    }

    [Fact]
    public async Task Download_url_is_a_credential_for_that_file_only()
    {
        var url = await UploadAndGetUrlAsync(_dir + "/one.txt", "one");
        (await Host.Client.PutAsync("/api/2.0/fs/files" + _dir + "/two.txt", new ByteArrayContent([1]))).Dispose();

        using (var other = await Host.Anonymous.GetAsync(url.Replace("/one.txt", "/two.txt")))
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        using (var unsigned = await Host.Anonymous.GetAsync(url.Split('?')[0]))
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        using (var withToken = await Host.Client.GetAsync(url))
            Assert.Equal(HttpStatusCode.BadRequest, withToken.StatusCode);
    }

    [Fact]
    public async Task Download_url_for_a_missing_file_or_without_a_token_is_the_json_error()
    {
        using (var missing = await CreateUrlAsync(_dir + "/missing.bin"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var body = await EmulatorTestHost.ReadJsonAsync(missing);
            Assert.Equal("NOT_FOUND", body.GetProperty("error_code").GetString());
        }
        using var anonymous = await Host.Anonymous.PostAsync($"/api/2.0/fs/create-download-url?path={_dir}/x", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
