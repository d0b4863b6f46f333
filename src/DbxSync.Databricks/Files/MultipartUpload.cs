using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Files;

/// <summary>
/// One Files API multipart upload with presigned part URLs, the path the Databricks SDK for Python takes for files of
/// 50 MiB or more and for streams of unknown size (databricks-sdk-py @9ae2241 databricks/sdk/mixins/files.py:
/// _initiate_multipart_upload l. 1523, _PresignedUrlRequestBuilder l. 749-840, _perform_multipart_upload,
/// _complete_multipart_upload l. 1849, _abort_multipart_upload l. 2428). Parts are sent one at a time from one pooled
/// buffer of PartSize bytes, so memory stays flat whatever the file size, and a part can be re-sent on a retry or a
/// fresh URL. Part URLs are fetched one at a time (the SDK's batch size 1), so none expires while waiting.
/// Where the workspace does not offer it (no endpoint, presigned URLs disabled, GCP's resumable variant, a storage
/// firewall refusing the first part), the caller falls back to the single PUT, as the SDK does.
/// </summary>
internal sealed class MultipartUpload(WorkspaceHttp http, HttpClient storage, DatabricksClientOptions options, string apiPath, bool overwrite)
{
    /// <summary>Thrown before any part is stored, when the single PUT should be used instead.</summary>
    public sealed class NotOfferedException(string reason) : Exception(reason);

    private sealed class InitiateResponse
    {
        /// <summary>GCP workspaces answer resumable_upload instead, which this client does not speak.</summary>
        public SessionBody? MultipartUpload { get; set; }
    }

    private sealed class SessionBody
    {
        public string? SessionToken { get; set; }
    }

    private sealed class PartUrlsResponse
    {
        public List<PresignedUrl>? UploadPartUrls { get; set; }
    }

    private sealed class AbortUrlResponse
    {
        public PresignedUrl? AbortUploadUrl { get; set; }
    }

    internal sealed class PresignedUrl
    {
        public int? PartNumber { get; set; }
        public string? Url { get; set; }
        public List<HeaderEntry>? Headers { get; set; }
    }

    internal sealed record HeaderEntry(string Name, string Value);

    private const int MaxParts = 10_000;
    private string EncodedPath => FilesClient.EncodePath(apiPath);

    /// <summary>
    /// Uploads the <paramref name="filled"/> bytes already in <paramref name="buffer"/>, then the rest of
    /// <paramref name="content"/>, in parts of <paramref name="partSize"/> bytes reusing that buffer.
    /// Throws NotOfferedException, with nothing stored, when the caller should use the single PUT instead.
    /// </summary>
    public async Task RunAsync(Stream content, byte[] buffer, int partSize, int filled, CancellationToken cancellationToken)
    {
        var session = await InitiateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var etags = new List<(int Number, string ETag)>();
            for (var number = 1; filled > 0 || number == 1; number++)
            {
                if (number > MaxParts)
                    throw new DatabricksRequestFailedException(WorkspaceErrorKind.BadRequest,
                        $"Databricks file upload of {apiPath}: more than {MaxParts} parts of {partSize} bytes; the file is too large for a multipart upload.");
                etags.Add((number, await UploadPartAsync(session, number, buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false)));
                if (filled < partSize)
                    break;
                filled = await FillAsync(content, buffer.AsMemory(0, partSize), cancellationToken).ConfigureAwait(false);
            }
            await CompleteAsync(session, etags, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TryAbortAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The configured size, raised when a known length would need more than 10,000 parts.</summary>
    internal static int PartSizeFor(long? totalLength, int configured)
    {
        if (totalLength is not { } length || (length + configured - 1) / configured <= MaxParts)
            return configured;
        const int MiB = 1024 * 1024;
        var needed = (length + MaxParts - 1) / MaxParts;
        return (int)Math.Min(int.MaxValue - MiB, (needed + MiB - 1) / MiB * MiB);
    }

    private async Task<string> InitiateAsync(CancellationToken cancellationToken)
    {
        var request = http.NewRequest(HttpMethod.Post,
            $"/api/2.0/fs/files{EncodedPath}?action=initiate-upload&overwrite={(overwrite ? "true" : "false")}", "multipart upload start");
        InitiateResponse response;
        try
        {
            response = await http.SendJsonAsync<InitiateResponse>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (DatabricksRequestFailedException e) when (IsNotOffered(e))
        {
            throw new NotOfferedException($"multipart upload is not offered ({e.Status} {e.ErrorCode})");
        }
        if (response.MultipartUpload?.SessionToken is { Length: > 0 } token)
            return token;
        // GCP answers resumable_upload, a different protocol; its unused session expires on its own.
        throw new NotOfferedException("the workspace offers no multipart_upload session");
    }

    private async Task<string> UploadPartAsync(string session, int number, ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            PresignedUrl url;
            try
            {
                url = await PartUrlAsync(session, number, cancellationToken).ConfigureAwait(false);
            }
            catch (DatabricksRequestFailedException e) when (number == 1 && IsNotOffered(e))
            {
                throw new NotOfferedException($"presigned upload URLs are not offered ({e.Status} {e.ErrorCode} {e.Reason})");
            }

            using var request = new HttpRequestMessage(HttpMethod.Put, url.Url);
            request.Content = new ReadOnlyMemoryContent(part);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            request.Content.Headers.ContentLength = part.Length;
            // Headers named with the URL must be sent as given; content headers replace the defaults above.
            foreach (var header in url.Headers ?? [])
            {
                if (request.Headers.TryAddWithoutValidation(header.Name, header.Value))
                    continue;
                request.Content.Headers.Remove(header.Name);
                request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            request.Options.Set(RequestPolicy.Operation, $"upload part {number}");
            request.Options.Set(RequestPolicy.UseAttemptTimeout, false);

            using var response = await storage.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return response.Headers.ETag?.Tag ?? (response.Headers.TryGetValues("ETag", out var raw) ? raw.First() : "");

            // An expired or refused URL gets one fresh one, like an expired result link.
            var rejected = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized;
            if (rejected && attempt == 1)
                continue;
            // The SDK's rule: a storage firewall refusing the very first part means "use the Files API instead".
            if (rejected && number == 1)
                throw new NotOfferedException($"storage refused the first part (HTTP {(int)response.StatusCode})");
            // Storage error bodies can quote the signed URL; keep only the status.
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other,
                $"Databricks file upload of {apiPath}: part {number} was refused by storage with HTTP {(int)response.StatusCode}.",
                (int)response.StatusCode, isTransient: (int)response.StatusCode >= 500);
        }
    }

    private async Task<PresignedUrl> PartUrlAsync(string session, int number, CancellationToken cancellationToken)
    {
        var request = http.NewRequest(HttpMethod.Post, "/api/2.0/fs/create-upload-part-urls", "create upload part URL", ResendPolicy.Idempotent);
        request.Content = WorkspaceHttp.JsonBody(new
        {
            path = apiPath,
            session_token = session,
            start_part_number = number,
            count = 1,
            expire_time = ExpireTime(),
        });
        var response = await http.SendJsonAsync<PartUrlsResponse>(request, cancellationToken).ConfigureAwait(false);
        var url = response.UploadPartUrls?.FirstOrDefault(u => u.PartNumber == number);
        if (url?.Url is not { Length: > 0 } text || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Databricks file upload of {apiPath}: no usable URL for part {number}.");
        return url;
    }

    private async Task CompleteAsync(string session, List<(int Number, string ETag)> parts, CancellationToken cancellationToken)
    {
        var request = http.NewRequest(HttpMethod.Post,
            $"/api/2.0/fs/files{EncodedPath}?action=complete-upload&upload_type=multipart&session_token={Uri.EscapeDataString(session)}",
            "multipart upload completion");
        request.Content = WorkspaceHttp.JsonBody(new { parts = parts.Select(p => new { part_number = p.Number, etag = p.ETag }) });
        using (request)
        using (await http.SendAsync(request, cancellationToken).ConfigureAwait(false)) { }
    }

    /// <summary>Best effort, as in the SDK: a failed abort leaves an incomplete upload the store expires on its own.</summary>
    private async Task TryAbortAsync(string session)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var request = http.NewRequest(HttpMethod.Post, "/api/2.0/fs/create-abort-upload-url", "create abort upload URL", ResendPolicy.Idempotent);
            request.Content = WorkspaceHttp.JsonBody(new { path = apiPath, session_token = session, expire_time = ExpireTime() });
            var response = await http.SendJsonAsync<AbortUrlResponse>(request, timeout.Token).ConfigureAwait(false);
            if (response.AbortUploadUrl?.Url is not { Length: > 0 } url)
                return;
            using var abort = new HttpRequestMessage(HttpMethod.Delete, url);
            foreach (var header in response.AbortUploadUrl.Headers ?? [])
                abort.Headers.TryAddWithoutValidation(header.Name, header.Value);
            abort.Options.Set(RequestPolicy.Operation, "abort upload");
            using var _ = await storage.SendAsync(abort, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DatabricksRequestFailedException or HttpRequestException or OperationCanceledException)
        {
        }
    }

    /// <summary>404/501: no such endpoint here; 403 FILES_API_API_IS_NOT_ENABLED: presigned URLs switched off (files.py _is_presigned_urls_disabled_error).</summary>
    private static bool IsNotOffered(DatabricksRequestFailedException e) =>
        e.Status is 404 or 501 || (e.Status == 403 && e.Reason == "FILES_API_API_IS_NOT_ENABLED") || e.ErrorCode == "ENDPOINT_NOT_FOUND";

    /// <summary>RFC 3339 in UTC with whole seconds, the form the SDK sends (files.py _get_rfc339_timestamp_with_future_offset).</summary>
    private string ExpireTime() =>
        (options.TimeProvider.GetUtcNow() + TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads until the buffer is full or the stream ends; returns the bytes read.</summary>
    internal static async Task<int> FillAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await content.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }
}
