using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DbxSync.Bench;

/// <summary>
/// The SQL Statement Execution API at the byte level, for the raw-copy limit: submit with EXTERNAL_LINKS, then hand
/// each chunk's bytes on untouched (no JSON parsing of rows, no CSV). What a sync could not go below on this endpoint.
/// </summary>
public sealed class RawStatements(string host, string token, string warehouseId) : IDisposable
{
    private readonly HttpClient _http = CreateClient(host, token);
    private readonly HttpClient _links = new() { Timeout = Timeout.InfiniteTimeSpan };

    private static HttpClient CreateClient(string host, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(host.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Runs the statement and streams every chunk's raw bytes to <paramref name="sink"/>; returns the byte count.</summary>
    public async Task<long> CopyResultAsync(string statement, Stream sink, CancellationToken ct = default)
    {
        var body = JsonSerializer.Serialize(new { statement, warehouse_id = warehouseId, disposition = "EXTERNAL_LINKS", format = "JSON_ARRAY", wait_timeout = "30s" });
        var status = await SendAsync(HttpMethod.Post, "api/2.0/sql/statements", body, ct);
        var id = (string)status["statement_id"]!;
        while ((string?)status["status"]?["state"] is "PENDING" or "RUNNING")
        {
            await Task.Delay(100, ct);
            status = await SendAsync(HttpMethod.Get, $"api/2.0/sql/statements/{id}", null, ct);
        }
        if ((string?)status["status"]?["state"] != "SUCCEEDED") throw new InvalidOperationException($"statement failed: {status["status"]}");
        var chunks = status["manifest"]?["total_chunk_count"]?.GetValue<int>() ?? 0;
        long bytes = 0;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = i == 0 && status["result"]?["external_links"] is JsonArray first ? status["result"]! : await SendAsync(HttpMethod.Get, $"api/2.0/sql/statements/{id}/result/chunks/{i}", null, ct);
            foreach (var link in chunk["external_links"]!.AsArray())
            {
                using var response = await _links.GetAsync((string)link!["external_link"]!, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await using var content = await response.Content.ReadAsStreamAsync(ct);
                var counting = new CountingStream(sink);
                await content.CopyToAsync(counting, 1024 * 1024, ct);
                bytes += counting.Count;
            }
        }
        return bytes;
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: HTTP {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose()
    {
        _http.Dispose();
        _links.Dispose();
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { Count += count; inner.Write(buffer, offset, count); }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
