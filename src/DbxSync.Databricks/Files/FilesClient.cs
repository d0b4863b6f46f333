using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Files;

/// <summary>
/// Files API 2.0 on Unity Catalog volumes (/api/2.0/fs/files, /fs/directories). Content is streamed both ways,
/// never buffered whole. Paths are validated as /Volumes/catalog/schema/volume[/...] and encoded per segment.
/// </summary>
public sealed class FilesClient
{
    private readonly WorkspaceHttp _http;
    private readonly HttpClient _storage;
    private readonly DatabricksClientOptions _options;

    /// <param name="storage">Sends to presigned storage URLs: retries, but never the workspace token.</param>
    internal FilesClient(WorkspaceHttp http, HttpClient storage, DatabricksClientOptions options)
    {
        _http = http;
        _storage = storage;
        _options = options;
    }

    /// <summary>
    /// Streams <paramref name="content"/> to the file. Below MultipartUploadThreshold (known length) it is one PUT;
    /// larger files and streams of unknown length that fill one part go as a multipart upload when the workspace
    /// offers it, else as one PUT, as the Databricks SDK for Python decides (mixins/files.py upload l. 615, upload_from l. 1440).
    /// Memory holds at most one part. A non-seekable stream sent as one PUT is sent once: a failure is not retried.
    /// </summary>
    private const int SmallStreamProbe = 64 * 1024;

    public async Task UploadAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var apiPath = NormalizePath(path);
        long? length = content.CanSeek ? content.Length - content.Position : null;
        if (length < _options.MultipartUploadThreshold)
        {
            await PutAsync(apiPath, content, overwrite, cancellationToken).ConfigureAwait(false);
            return;
        }

        var start = content.CanSeek ? content.Position : 0;
        var partSize = MultipartUpload.PartSizeFor(length, _options.MultipartUploadPartSize);
        // A stream of unknown length is mostly a small file (a blob download): it is read into 64 KiB first, and only
        // content that fills that gets a whole part buffer (10 MiB per file in flight otherwise, eight at a time).
        var buffer = ArrayPool<byte>.Shared.Rent(length is null ? Math.Min(SmallStreamProbe, partSize) : partSize);
        try
        {
            var filled = await MultipartUpload.FillAsync(content, buffer.AsMemory(0, Math.Min(buffer.Length, partSize)), cancellationToken).ConfigureAwait(false);
            if (filled == buffer.Length && filled < partSize)
            {
                var part = ArrayPool<byte>.Shared.Rent(partSize);
                buffer.AsSpan(0, filled).CopyTo(part);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = part;
                filled += await MultipartUpload.FillAsync(content, buffer.AsMemory(filled, partSize - filled), cancellationToken).ConfigureAwait(false);
            }
            if (filled < partSize && length is null)
            {
                // A stream that ends within one part is small: one PUT, no upload session.
                using var small = new MemoryStream(buffer, 0, filled, writable: false);
                await PutAsync(apiPath, small, overwrite, cancellationToken).ConfigureAwait(false);
                return;
            }
            try
            {
                await new MultipartUpload(_http, _storage, _options, apiPath, overwrite).RunAsync(content, buffer, partSize, filled, cancellationToken).ConfigureAwait(false);
            }
            catch (MultipartUpload.NotOfferedException)
            {
                // Only the first part was read: rewind, or send it ahead of the rest.
                if (content.CanSeek)
                {
                    content.Position = start;
                    await PutAsync(apiPath, content, overwrite, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await using var whole = new PrefixedStream(buffer.AsMemory(0, filled), content);
                    await PutAsync(apiPath, whole, overwrite, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PutAsync(string path, Stream content, bool overwrite, CancellationToken cancellationToken)
    {
        var request = _http.NewRequest(HttpMethod.Put, $"/api/2.0/fs/files{EncodePath(path)}?overwrite={(overwrite ? "true" : "false")}", "file upload");
        var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (content.CanSeek) body.Headers.ContentLength = content.Length - content.Position;
        request.Content = body;
        request.Options.Set(RequestPolicy.ReplayableBody, content.CanSeek);
        request.Options.Set(RequestPolicy.UseAttemptTimeout, false);
        using (request)
        using (await _http.SendAsync(request, cancellationToken).ConfigureAwait(false)) { }
    }

    /// <summary>The response body as a stream; dispose it to release the connection.</summary>
    public async Task<Stream> DownloadAsync(string path, CancellationToken cancellationToken = default)
    {
        var request = _http.NewRequest(HttpMethod.Get, $"/api/2.0/fs/files{EncodePath(path)}", "file download");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        var response = await _http.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        request.Dispose();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new ResponseStream(response, new StallTimeoutStream(body, _options.StreamStallTimeout, _options.TimeProvider, "file download"));
    }

    /// <summary>Null when the file does not exist (HEAD errors have no body: decided on status alone).</summary>
    public async Task<FileMetadata?> GetMetadataAsync(string path, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizePath(path);
        using var request = _http.NewRequest(HttpMethod.Head, $"/api/2.0/fs/files{EncodePath(normalized)}", "file metadata");
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            var headers = response.Content.Headers;
            return new FileMetadata(normalized, headers.ContentLength ?? 0, headers.LastModified, headers.ContentType?.MediaType);
        }
        catch (DatabricksRequestFailedException e) when (e.Status == 404) { return null; }
    }

    /// <summary>False when the file did not exist.</summary>
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = _http.NewRequest(HttpMethod.Delete, $"/api/2.0/fs/files{EncodePath(path)}", "file delete");
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DatabricksRequestFailedException e) when (e.Status == 404) { return false; }
    }

    /// <summary>mkdir -p; succeeds when the directory exists already.</summary>
    public async Task CreateDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = _http.NewRequest(HttpMethod.Put, $"/api/2.0/fs/directories{EncodePath(path)}", "create directory");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Immediate children, one page per item. Paging ends only when next_page_token is absent: short and empty pages continue.</summary>
    public async IAsyncEnumerable<DirectoryPage> ListDirectoryPagesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var encoded = EncodePath(path);
        string? token = null;
        do
        {
            var query = $"page_size={_options.FilesPageSize.ToString(CultureInfo.InvariantCulture)}" + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token));
            var page = await _http.SendJsonAsync<DirectoryListing>(
                _http.NewRequest(HttpMethod.Get, $"/api/2.0/fs/directories{encoded}?{query}", "list directory"), cancellationToken).ConfigureAwait(false);
            yield return new DirectoryPage((page.Contents ?? []).Select(ToEntry).ToList(), page.NextPageToken);
            token = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        } while (token is not null);
    }

    public async IAsyncEnumerable<VolumeEntry> ListDirectoryAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in ListDirectoryPagesAsync(path, cancellationToken).ConfigureAwait(false))
            foreach (var entry in page.Entries)
                yield return entry;
    }

    /// <summary>
    /// Every entry below <paramref name="path"/>, depth first. Each directory is listed to the end before its
    /// subdirectories (kept as paths on a stack) are entered, so no page token is held open across a subtree
    /// and memory is bounded by the number of pending directory paths, not by the number of files.
    /// </summary>
    public async IAsyncEnumerable<VolumeEntry> ListRecursiveAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pending = new Stack<string>();
        pending.Push(NormalizePath(path));
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            var subdirectories = new List<string>();
            await foreach (var entry in ListDirectoryAsync(directory, cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
                if (entry.IsDirectory) subdirectories.Add(entry.Path);
            }
            for (var i = subdirectories.Count - 1; i >= 0; i--) pending.Push(subdirectories[i]);
        }
    }

    private static VolumeEntry ToEntry(DirectoryEntryWire e)
    {
        var path = e.Path ?? "";
        var name = e.Name ?? path[(path.TrimEnd('/').LastIndexOf('/') + 1)..].TrimEnd('/');
        var modified = e.LastModified is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        return new VolumeEntry(path.TrimEnd('/'), name, e.IsDirectory ?? false, e.IsDirectory == true ? null : e.FileSize, modified);
    }

    /// <summary>Validates the volume path (no '..', '.', empty or control segments) and returns it without a trailing '/'.</summary>
    public static string NormalizePath(string path) => VolumePath.Parse(path, "path").Path;

    /// <summary>"/Volumes/c/s/v/my file#1.csv" becomes "/Volumes/c/s/v/my%20file%231.csv": each segment encoded, '/' kept.</summary>
    public static string EncodePath(string path) =>
        string.Join('/', NormalizePath(path).Split('/').Select(Uri.EscapeDataString));

    internal sealed class DirectoryListing
    {
        public List<DirectoryEntryWire>? Contents { get; set; }
        public string? NextPageToken { get; set; }
    }

    internal sealed class DirectoryEntryWire
    {
        public string? Path { get; set; }
        public string? Name { get; set; }
        public bool? IsDirectory { get; set; }
        public long? FileSize { get; set; }
        public long? LastModified { get; set; }
    }
}

public sealed record DirectoryPage(IReadOnlyList<VolumeEntry> Entries, string? NextPageToken);
