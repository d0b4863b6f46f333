using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// The Files API multipart upload with presigned part URLs, pinned to the request/response shapes the Databricks SDK
/// for Python sends and parses (databricks-sdk-py @9ae2241 databricks/sdk/mixins/files.py l. 749-840, 1523, 1849,
/// 1933, 2428; server stub tests/test_files.py l. 1740-1935). Shapes: tests/fixtures/databricks/files/05_multipart_upload_presigned.json.
/// </summary>
public sealed class MultipartUploadTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly ShiftableClock _clock = new();
    private readonly string _dir = "/Volumes/main/sync/staging/mp-" + Guid.NewGuid().ToString("N")[..8];
    private EmulatorTestHost _host = null!;
    private static readonly JsonElement Shapes = FixtureJson.LoadLocal("files/05_multipart_upload_presigned.json");

    public async Task InitializeAsync() => _host = await EmulatorTestHost.StartAsync(options => options.TimeProvider = _clock);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string ExpireTime(TimeSpan fromNow) => (DateTimeOffset.UtcNow + fromNow).ToString("yyyy-MM-ddTHH:mm:ssZ");

    private async Task<string> InitiateAsync(string path, string query = "")
    {
        using var response = await _host.Client.PostAsync($"/api/2.0/fs/files{path}?action=initiate-upload{query}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        FixtureJson.AssertShape(Shapes.GetProperty("initiate_upload_response"), body, exact: true);
        return body.At("multipart_upload", "session_token").GetString()!;
    }

    private async Task<HttpResponseMessage> PartUrlsAsync(string path, string token, int start, int count, string? expireTime = null) =>
        await _host.Client.PostAsJsonAsync("/api/2.0/fs/create-upload-part-urls", new Dictionary<string, object>
        {
            ["path"] = path, ["session_token"] = token, ["start_part_number"] = start, ["count"] = count, ["expire_time"] = expireTime ?? ExpireTime(TimeSpan.FromHours(1)),
        });

    private async Task<List<(int Number, string Url)>> PartUrlListAsync(string path, string token, int start, int count)
    {
        using var response = await PartUrlsAsync(path, token, start, count);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        FixtureJson.AssertShape(Shapes.GetProperty("create_upload_part_urls_response"), body, exact: true);
        return body.GetProperty("upload_part_urls").EnumerateArray()
            .Select(u => (u.GetProperty("part_number").GetInt32(), u.GetProperty("url").GetString()!)).ToList();
    }

    /// <summary>As the SDK's cloud-provider session sends it: no Authorization, Content-Type octet-stream, a known length.</summary>
    private async Task<HttpResponseMessage> PutPartAsync(string url, byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await _host.Anonymous.PutAsync(url, body);
    }

    private async Task<HttpResponseMessage> CompleteAsync(string path, string token, IEnumerable<(int Number, string? ETag)> parts) =>
        await _host.Client.PostAsJsonAsync($"/api/2.0/fs/files{path}?action=complete-upload&upload_type=multipart&session_token={Uri.EscapeDataString(token)}",
            new { parts = parts.Select(p => new { part_number = p.Number, etag = p.ETag }) });

    private static byte[] Bytes(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    [Fact]
    public async Task Initiate_part_urls_put_parts_and_complete_assemble_the_file()
    {
        var path = _dir + "/big file.bin";
        var token = await InitiateAsync(path.Replace(" ", "%20"));
        var urls = await PartUrlListAsync(path, token, start: 1, count: 2);
        Assert.Equal([1, 2], urls.Select(u => u.Number));

        var first = Bytes(5 * MiB, 1);
        var second = Bytes(1000, 2);
        var etags = new List<(int, string?)>();
        foreach (var (number, url, content) in new[] { (urls[0].Number, urls[0].Url, first), (urls[1].Number, urls[1].Url, second) })
        {
            using var put = await PutPartAsync(url, content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add((number, put.Headers.ETag?.Tag));
        }
        Assert.All(etags, e => Assert.False(string.IsNullOrEmpty(e.Item2)));

        using (var complete = await CompleteAsync(path.Replace(" ", "%20"), token, etags))
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);

        using var download = await _host.Client.GetAsync("/api/2.0/fs/files" + path.Replace(" ", "%20"));
        var downloaded = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(first.Concat(second).ToArray(), downloaded);

        // The session is spent: the SDK never reuses it, and a workspace would not accept it again.
        using var again = await PartUrlsAsync(path, token, 3, 1);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Part_urls_are_presigned_they_refuse_a_token_a_bad_signature_and_expire()
    {
        var path = _dir + "/signed.bin";
        var token = await InitiateAsync(path);
        var url = (await PartUrlListAsync(path, token, 1, 1))[0].Url;
        Assert.StartsWith(_host.Handle.BaseUrl.ToString(), url);
        Assert.DoesNotContain("/api/", url);

        using (var withToken = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([1]) })
        {
            withToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _host.Handle.PersonalAccessToken);
            using var response = await _host.Anonymous.SendAsync(withToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        using (var tampered = await PutPartAsync(url.Replace("/1?", "/2?"), [1]))
            Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        _clock.Offset = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1);
        using var expired = await PutPartAsync(url, [1]);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        // The answer the SDK recognises as "URL expired, ask for a new one" (files.py _is_url_expired_response).
        var xml = System.Xml.Linq.XElement.Parse(await expired.Content.ReadAsStringAsync());
        Assert.Equal("AccessDenied", xml.Element("Code")?.Value);
        Assert.Equal("Request has expired", xml.Element("Message")?.Value);
    }

    [Fact]
    public async Task Url_lifetime_is_capped_and_expire_time_must_be_a_future_rfc3339_time()
    {
        var path = _dir + "/expiry.bin";
        var token = await InitiateAsync(path);
        using (var past = await PartUrlsAsync(path, token, 1, 1, ExpireTime(TimeSpan.FromMinutes(-1))))
            Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        using (var garbage = await PartUrlsAsync(path, token, 1, 1, "tomorrow"))
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);

        using var far = await PartUrlsAsync(path, token, 1, 1, ExpireTime(TimeSpan.FromDays(7)));
        var url = (await EmulatorTestHost.ReadJsonAsync(far)).GetProperty("upload_part_urls")[0].GetProperty("url").GetString()!;
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)["exp"]!));
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Complete_refuses_unknown_etags_wrong_order_and_short_middle_parts()
    {
        var path = _dir + "/bad.bin";
        var token = await InitiateAsync(path);
        var urls = await PartUrlListAsync(path, token, 1, 2);
        using var p1 = await PutPartAsync(urls[0].Url, Bytes(1000, 1));
        using var p2 = await PutPartAsync(urls[1].Url, Bytes(1000, 2));
        var e1 = p1.Headers.ETag!.Tag;
        var e2 = p2.Headers.ETag!.Tag;

        foreach (var parts in new[] { new[] { (1, "\"not-the-etag\""), (2, e2) }, [(2, e2), (1, e1)], [(1, e1), (2, e2)], [] })
        {
            using var response = await CompleteAsync(path, token, parts.Select(p => (p.Item1, (string?)p.Item2)));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("INVALID_PARAMETER_VALUE", (await EmulatorTestHost.ReadJsonAsync(response)).GetProperty("error_code").GetString());
        }
        using var missing = await _host.Client.GetAsync("/api/2.0/fs/files" + path);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // A single short part is fine: only parts before the last must be 5 MiB.
        using var single = await CompleteAsync(path, token, [(1, e1)]);
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
    }

    [Fact]
    public async Task Overwrite_false_is_refused_at_initiate_when_the_file_exists_and_the_session_is_bound_to_its_path()
    {
        var path = _dir + "/exists.bin";
        (await _host.Client.PutAsync("/api/2.0/fs/files" + path, new ByteArrayContent([1, 2, 3]))).Dispose();

        using (var refused = await _host.Client.PostAsync($"/api/2.0/fs/files{path}?action=initiate-upload&overwrite=false", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("ALREADY_EXISTS", (await EmulatorTestHost.ReadJsonAsync(refused)).GetProperty("error_code").GetString());
        }

        var token = await InitiateAsync(path, "&overwrite=true");
        using var otherPath = await PartUrlsAsync(_dir + "/elsewhere.bin", token, 1, 1);
        Assert.Equal(HttpStatusCode.BadRequest, otherPath.StatusCode);
        using var unknown = await PartUrlsAsync(path, "no-such-session", 1, 1);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Abort_url_drops_the_session_and_its_parts()
    {
        var path = _dir + "/aborted.bin";
        var token = await InitiateAsync(path);
        var url = (await PartUrlListAsync(path, token, 1, 1))[0].Url;
        (await PutPartAsync(url, Bytes(100, 3))).Dispose();

        using var abortUrl = await _host.Client.PostAsJsonAsync("/api/2.0/fs/create-abort-upload-url",
            new { path, session_token = token, expire_time = ExpireTime(TimeSpan.FromHours(1)) });
        Assert.Equal(HttpStatusCode.OK, abortUrl.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(abortUrl);
        FixtureJson.AssertShape(Shapes.GetProperty("create_abort_upload_url_response"), body, exact: true);

        // files.py _abort_multipart_upload: DELETE without the token, success only on 200/201.
        using var abort = await _host.Anonymous.DeleteAsync(body.At("abort_upload_url", "url").GetString());
        Assert.Equal(HttpStatusCode.OK, abort.StatusCode);

        using var after = await PartUrlsAsync(path, token, 2, 1);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        using var putAfter = await PutPartAsync(url, [1]);
        Assert.Equal(HttpStatusCode.NotFound, putAfter.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_host.Handle.Options.DataDirectory, ".emulator", "uploads")));
    }
}
