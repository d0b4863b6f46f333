using DbxSync.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// The acceptance run, as the Databricks SDK for Python would make it (PyPI is unreachable here, so its
/// requests are replayed from its sources, databricks/databricks-sdk-py @9ae2241564f9): a client that knows only the
/// host, a client id and a secret authenticates, uploads a 60 MiB file, uploads a stream of unknown size and downloads
/// a file, and the emulator answers no request with an error on the way.
/// </summary>
public sealed class PythonSdkSequenceTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    // config.py l. 185 files_ext_multipart_upload_min_stream_size; l. 204-210 part sizes: 10 MiB is the smallest giving <= 100 parts.
    private const int PartSize = 10 * MiB;
    private readonly string _dir = "/Volumes/main/sync/staging/sdk-" + Guid.NewGuid().ToString("N")[..8];
    private EmulatorTestHost _host = null!;
    private HttpClient _workspace = null!;
    // FilesExt._cloud_provider_session: a plain session, no Databricks auth.
    private readonly HttpClient _cloud = new();

    public async Task InitializeAsync()
    {
        _host = await EmulatorTestHost.StartAsync();
        _workspace = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _workspace.Dispose();
        _cloud.Dispose();
        await _host.DisposeAsync();
    }

    private string Host => _host.Handle.BaseUrl.ToString().TrimEnd('/');

    [Fact]
    public async Task Host_and_client_credentials_only_authenticate_upload_60_mib_upload_a_stream_and_download_without_a_failed_request()
    {
        _host.Handle.Stats.Reset();
        await AuthenticateAsync();

        var file = RandomBytes(60 * MiB);
        await UploadFromFileAsync(_dir + "/big.bin", file);

        var streamed = RandomBytes(25 * MiB + 123);
        await UploadUnknownSizeStreamAsync(_dir + "/streamed.bin", new NonSeekableStream(streamed));

        Assert.Equal(SHA256.HashData(file), await DownloadSha256Async(_dir + "/big.bin"));
        Assert.Equal(SHA256.HashData(streamed), await DownloadSha256Async(_dir + "/streamed.bin"));

        Assert.Empty(_host.Handle.Stats.FailedRequests);
        var routes = _host.Handle.Stats.RequestsByRoute;
        Assert.Equal(1, routes["GET /.well-known/databricks-config"]);
        Assert.Equal(2 + 2, routes["POST /api/2.0/fs/files/{**path}"]); // initiate and complete, twice
        Assert.Equal(6 + 3, routes["POST /api/2.0/fs/create-upload-part-urls"]);
        Assert.Equal(6 + 3, routes["PUT /presigned/upload-parts/{uploadId}/{partNumber:int}"]);
        Assert.Equal(2, routes["POST /api/2.0/fs/create-download-url"]);
        Assert.False(routes.ContainsKey("PUT /api/2.0/fs/files/{**path}"), "no single-PUT fallback was needed");
        Assert.Equal(0, _host.Handle.Stats.RequestsFor("DELETE /presigned/uploads/{uploadId}"));
    }

    private Task AuthenticateAsync() => PythonSdkAuth.AuthenticateAsync(_workspace, _host.Handle);

    /// <summary>
    /// w.files.upload_from(path, local_file) with defaults (use_parallel=True, overwrite=None): files.py upload_from l. 1440 ->
    /// _parallel_upload_from_file l. 1628 -> initiate (no overwrite parameter when None, l. 1523) ->
    /// _parallel_multipart_upload_from_file l. 1682: part 1 first, then the rest on 10 threads, each part through
    /// _do_upload_one_part l. 1933 (create-upload-part-urls with count 1, then PUT) -> complete with parts sorted (l. 1849).
    /// </summary>
    private async Task UploadFromFileAsync(string path, byte[] file)
    {
        var session = await InitiateAsync(path);
        var parts = Enumerable.Range(0, (file.Length + PartSize - 1) / PartSize)
            .Select(i => (Number: i + 1, Content: file.AsMemory(i * PartSize, Math.Min(PartSize, file.Length - i * PartSize))))
            .ToList();
        var etags = new Dictionary<int, string> { [1] = await UploadOnePartAsync(path, session, 1, parts[0].Content) };
        await Parallel.ForEachAsync(parts.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (part, _) =>
        {
            var etag = await UploadOnePartAsync(path, session, part.Number, part.Content);
            lock (etags) etags[part.Number] = etag;
        });
        await CompleteAsync(path, session, etags);
    }

    /// <summary>
    /// w.files.upload(path, non_seekable_stream): content_length None, so _parallel_upload_from_stream l. 1590 ->
    /// initiate -> _parallel_multipart_upload_from_stream l. 1757: read part_size (the 10 MiB default), upload it as part 1,
    /// then a producer reads further parts for the consumer threads -> complete.
    /// </summary>
    private async Task UploadUnknownSizeStreamAsync(string path, Stream stream)
    {
        var session = await InitiateAsync(path);
        var etags = new Dictionary<int, string>();
        var buffer = new byte[PartSize];
        for (var number = 1; ; number++)
        {
            var read = await stream.ReadAtLeastAsync(buffer, PartSize, throwOnEndOfStream: false);
            if (read == 0)
                break;
            etags[number] = await UploadOnePartAsync(path, session, number, buffer.AsMemory(0, read));
            if (read < PartSize)
                break;
        }
        await CompleteAsync(path, session, etags);
    }

    private async Task<string> InitiateAsync(string path)
    {
        using var response = await _workspace.PostAsync($"{Host}/api/2.0/fs/files{Escape(path)}?action=initiate-upload", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        // The SDK branches on multipart_upload vs resumable_upload (l. 1601-1626).
        return body.GetProperty("multipart_upload").GetProperty("session_token").GetString()!;
    }

    /// <summary>_PresignedUrlRequestBuilder.build_upload_part_urls (l. 760) and the PUT of _do_upload_one_part (l. 1933).</summary>
    private async Task<string> UploadOnePartAsync(string path, string session, int number, ReadOnlyMemory<byte> content)
    {
        using var urlResponse = await _workspace.PostAsJsonAsync($"{Host}/api/2.0/fs/create-upload-part-urls", new Dictionary<string, object>
        {
            ["path"] = path,
            ["session_token"] = session,
            ["start_part_number"] = number,
            ["count"] = 1,
            ["expire_time"] = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
        Assert.Equal(HttpStatusCode.OK, urlResponse.StatusCode);
        var node = (await urlResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("upload_part_urls")[0];
        Assert.Equal(number, node.GetProperty("part_number").GetInt32());

        using var put = new HttpRequestMessage(HttpMethod.Put, node.GetProperty("url").GetString()) { Content = new ReadOnlyMemoryContent(content) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        foreach (var header in node.GetProperty("headers").EnumerateArray())
            put.Headers.TryAddWithoutValidation(header.GetProperty("name").GetString()!, header.GetProperty("value").GetString());
        using var response = await _cloud.SendAsync(put);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"part {number}: {(int)response.StatusCode}");
        return response.Headers.ETag?.Tag ?? "";
    }

    private async Task CompleteAsync(string path, string session, Dictionary<int, string> etags)
    {
        using var response = await _workspace.PostAsJsonAsync(
            $"{Host}/api/2.0/fs/files{Escape(path)}?action=complete-upload&upload_type=multipart&session_token={Uri.EscapeDataString(session)}",
            new { parts = etags.OrderBy(e => e.Key).Select(e => new { part_number = e.Key, etag = e.Value }) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// w.files.download(path): _open_download_stream l. 2527 -> _init_download_response_presigned_api l. 2591:
    /// POST create-download-url?path=&amp;expire_time= (l. 811), then GET the url with Accept: application/octet-stream
    /// and no Databricks auth; content-length, content-type and last-modified are read from that answer.
    /// </summary>
    private async Task<byte[]> DownloadSha256Async(string path)
    {
        var expire = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var urlResponse = await _workspace.PostAsync($"{Host}/api/2.0/fs/create-download-url?path={Uri.EscapeDataString(path)}&expire_time={Uri.EscapeDataString(expire)}", null);
        Assert.Equal(HttpStatusCode.OK, urlResponse.StatusCode);
        var body = await urlResponse.Content.ReadFromJsonAsync<JsonElement>();

        using var get = new HttpRequestMessage(HttpMethod.Get, body.GetProperty("url").GetString());
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        foreach (var header in body.GetProperty("headers").EnumerateArray())
            get.Headers.TryAddWithoutValidation(header.GetProperty("name").GetString()!, header.GetProperty("value").GetString());
        using var response = await _cloud.SendAsync(get, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Content.Headers.ContentLength);
        Assert.NotNull(response.Content.Headers.LastModified);
        await using var stream = await response.Content.ReadAsStreamAsync();
        return await SHA256.HashDataAsync(stream);
    }

    private static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
