using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

public sealed class FilesApiTests(SharedEmulator emulator) : IClassFixture<SharedEmulator>
{
    private EmulatorTestHost Host => emulator.Host;
    private readonly string _dir = "/Volumes/main/sync/staging/t-" + Guid.NewGuid().ToString("N")[..8];

    private static string Files(string path) => "/api/2.0/fs/files" + path;
    private static string Directories(string path) => "/api/2.0/fs/directories" + path;

    private async Task<HttpResponseMessage> UploadAsync(string path, string text, bool? overwrite = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await Host.Client.PutAsync(Files(path) + (overwrite is null ? "" : $"?overwrite={overwrite.Value.ToString().ToLowerInvariant()}"), content);
    }

    [Fact]
    public async Task Upload_then_download_head_and_delete()
    {
        var path = _dir + "/nested/deeper/a%20b.csv";
        using (var upload = await UploadAsync(path, "id,label\n1,x\n"))
            Assert.Equal(HttpStatusCode.NoContent, upload.StatusCode);

        using (var download = await Host.Client.GetAsync(Files(path)))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("id,label\n1,x\n", await download.Content.ReadAsStringAsync());
            Assert.Equal(13, download.Content.Headers.ContentLength);
            Assert.NotNull(download.Content.Headers.LastModified);
        }

        using (var head = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Files(path))))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(13, head.Content.Headers.ContentLength);
            Assert.NotNull(head.Content.Headers.LastModified);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        Assert.True(File.Exists(Path.Combine(Host.Engine.GetVolumeDirectory("main", "sync", "staging"), _dir.Split('/')[^1], "nested", "deeper", "a b.csv")));

        using (var delete = await Host.Client.DeleteAsync(Files(path)))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var headMissing = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Files(path))))
        {
            Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);
            Assert.Empty(await headMissing.Content.ReadAsByteArrayAsync());
        }
        using var deleteMissing = await Host.Client.DeleteAsync(Files(path));
        Assert.Equal(HttpStatusCode.NotFound, deleteMissing.StatusCode);
    }

    [Fact]
    public async Task Range_requests_return_partial_content()
    {
        var path = _dir + "/range.txt";
        (await UploadAsync(path, "0123456789")).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Get, Files(path));
        request.Headers.Range = new RangeHeaderValue(2, 5);
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("2345", await response.Content.ReadAsStringAsync());
        Assert.Equal(10, response.Content.Headers.ContentRange!.Length);
    }

    [Fact]
    public async Task Overwrite_false_on_existing_file_is_409_and_default_overwrites()
    {
        var path = _dir + "/once.txt";
        using (var first = await UploadAsync(path, "one", overwrite: false))
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using (var second = await UploadAsync(path, "two", overwrite: false))
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using (var third = await UploadAsync(path, "three"))
            Assert.Equal(HttpStatusCode.NoContent, third.StatusCode);
        Assert.Equal("three", await Host.Client.GetStringAsync(Files(path)));
    }

    [Fact]
    public async Task Large_upload_streams_to_disk()
    {
        var path = _dir + "/big.bin";
        var payload = new byte[24 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        using var content = new StreamContent(new MemoryStream(payload));
        using (var upload = await Host.Client.PutAsync(Files(path), content))
            Assert.Equal(HttpStatusCode.NoContent, upload.StatusCode);
        var downloaded = await Host.Client.GetByteArrayAsync(Files(path));
        Assert.True(payload.AsSpan().SequenceEqual(downloaded));
    }

    [Fact]
    public async Task Directories_create_head_list_and_delete()
    {
        using (var mkdir = await Host.Client.PutAsync(Directories(_dir + "/a/b"), null))
            Assert.Equal(HttpStatusCode.OK, mkdir.StatusCode);
        using (var again = await Host.Client.PutAsync(Directories(_dir + "/a/b"), null))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var head = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Directories(_dir + "/a/b"))))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using (var headMissing = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Directories(_dir + "/nope"))))
            Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);

        (await UploadAsync(_dir + "/a/file.txt", "12345")).Dispose();
        using (var mkdirOnFile = await Host.Client.PutAsync(Directories(_dir + "/a/file.txt"), null))
            Assert.Equal(HttpStatusCode.Conflict, mkdirOnFile.StatusCode);

        var listing = await Host.GetJsonAsync(Directories(_dir + "/a"));
        var entries = listing.GetProperty("contents").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        var directory = entries.Single(e => e.GetProperty("is_directory").GetBoolean());
        Assert.Equal(_dir + "/a/b", directory.GetProperty("path").GetString());
        Assert.False(directory.TryGetProperty("file_size", out _));
        var file = entries.Single(e => !e.GetProperty("is_directory").GetBoolean());
        FixtureJson.AssertShape(FixtureJson.Load("files/02_list_directory_contents_two_pages.json").At("page1", "response", "contents")[0], file, exact: true);
        Assert.Equal(5, file.GetProperty("file_size").GetInt64());
        Assert.InRange(file.GetProperty("last_modified").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        Assert.False(listing.TryGetProperty("next_page_token", out _));

        using (var notEmpty = await Host.Client.DeleteAsync(Directories(_dir + "/a")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notEmpty.StatusCode);
            var body = await EmulatorTestHost.ReadJsonAsync(notEmpty);
            FixtureJson.AssertShape(FixtureJson.Load("files/03_files_api_error_details_shape.json").At("delete_directory_not_empty", "body"), body);
            Assert.Equal("FILES_API_DIRECTORY_IS_NOT_EMPTY", body.GetProperty("details")[0].GetProperty("reason").GetString());
            Assert.Equal("filesystem.databricks.com", body.GetProperty("details")[0].GetProperty("domain").GetString());
        }
        using (var deleteEmpty = await Host.Client.DeleteAsync(Directories(_dir + "/a/b")))
            Assert.Equal(HttpStatusCode.NoContent, deleteEmpty.StatusCode);
        using var deleteMissing = await Host.Client.DeleteAsync(Directories(_dir + "/a/b"));
        Assert.Equal(HttpStatusCode.NotFound, deleteMissing.StatusCode);
        Assert.Equal("FILES_API_DIRECTORY_IS_NOT_FOUND",
            (await EmulatorTestHost.ReadJsonAsync(deleteMissing)).GetProperty("details")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Listing_pages_with_opaque_tokens_until_absent()
    {
        for (var i = 0; i < 7; i++)
            (await UploadAsync($"{_dir}/p/f{i}.txt", "x")).Dispose();

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Host.GetJsonAsync(Directories(_dir + "/p") + "?page_size=3" + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)));
            names.AddRange(page.GetProperty("contents").EnumerateArray().Select(e => e.GetProperty("name").GetString()!));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
            pages++;
        } while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"f{i}.txt"), names);
    }

    [Fact]
    public async Task Empty_directory_lists_without_contents_and_missing_is_404()
    {
        (await Host.Client.PutAsync(Directories(_dir + "/empty"), null)).Dispose();
        var listing = await Host.GetJsonAsync(Directories(_dir + "/empty"));
        Assert.Equal("{}", listing.GetRawText());

        using var missing = await Host.Client.GetAsync(Directories(_dir + "/missing"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("/Volumes/main/sync/nope/x.txt", HttpStatusCode.NotFound)]
    [InlineData("/Volumes/main/sync", HttpStatusCode.BadRequest)]
    [InlineData("/Workspace/Users/x.txt", HttpStatusCode.BadRequest)]
    public async Task Paths_outside_existing_volumes_are_refused(string path, HttpStatusCode expected)
    {
        using var response = await UploadAsync(path, "x");
        Assert.Equal(expected, response.StatusCode);
        var body = await EmulatorTestHost.ReadJsonAsync(response);
        Assert.True(body.TryGetProperty("error_code", out _));
    }

    [Theory]
    [InlineData("/Volumes/main/sync/staging/../exports/evil.txt")]
    [InlineData("/Volumes/main/sync/staging/../../../../../../tmp/evil.txt")]
    [InlineData("/Volumes/main/sync/staging/%2e%2e/exports/evil.txt")]
    [InlineData("/Volumes/main/sync/staging/..%2F..%2Fevil.txt")]
    [InlineData("/Volumes/main/sync/staging/a%5C..%5C..%5Cevil.txt")]
    [InlineData("/Volumes/main/sync/staging/./evil.txt")]
    public async Task Traversal_is_refused_with_400(string rawPath)
    {
        var (status, _) = await SendRawAsync("PUT", Files(rawPath), "evil");
        Assert.Equal(400, status);
        Assert.False(File.Exists(Path.Combine(Host.Engine.GetVolumeDirectory("main", "sync", "exports"), "evil.txt")));
        Assert.False(File.Exists("/tmp/evil.txt") && File.GetLastWriteTimeUtc("/tmp/evil.txt") > DateTime.UtcNow.AddMinutes(-1));
    }

    /// <summary>HttpClient normalises dot segments, so traversal attempts go over a raw socket exactly as written.</summary>
    private async Task<(int Status, string Response)> SendRawAsync(string method, string rawTarget, string body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Host.Handle.BaseUrl.Host, Host.Handle.BaseUrl.Port);
        await using var stream = tcp.GetStream();
        var request = $"{method} {rawTarget} HTTP/1.1\r\nHost: {Host.Handle.BaseUrl.Authority}\r\nAuthorization: Bearer {Host.Handle.PersonalAccessToken}\r\n" +
                      $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1]);
        return (status, response);
    }
}
