using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Files;

/// <summary>
/// The Files API multipart upload with presigned part URLs, as the Databricks SDK for Python drives it for files of
/// 50 MiB or more and for streams of unknown size (databricks-sdk-py @9ae2241 databricks/sdk/mixins/files.py:
/// _initiate_multipart_upload l. 1523, _PresignedUrlRequestBuilder l. 749-840, _do_upload_one_part l. 1933,
/// _complete_multipart_upload l. 1849, _abort_multipart_upload l. 2428; server shapes mirrored from its
/// tests/test_files.py MultipartUploadTestCase l. 1740-1935):
/// 1. POST /api/2.0/fs/files{path}?action=initiate-upload[&amp;overwrite=] -> {"multipart_upload": {"session_token"}}
/// 2. POST /api/2.0/fs/create-upload-part-urls {path, session_token, start_part_number, count, expire_time}
///    -> {"upload_part_urls": [{part_number, url, headers: [{name, value}]}]}
/// 3. PUT each part to its URL without the Databricks token -> 200 with an ETag header
/// 4. POST /api/2.0/fs/files{path}?action=complete-upload&amp;upload_type=multipart&amp;session_token= {"parts": [{part_number, etag}]}
/// Abort: POST /api/2.0/fs/create-abort-upload-url {path, session_token, expire_time} -> {"abort_upload_url": {url, headers}}, then DELETE it.
/// The public docs describe only the Files API 3.0 variant (upload_id, parts PUT to the workspace,
/// docs.databricks.com/aws/en/volumes/files-api/multipart-upload); its part rules (1-10000, every part but the
/// last at least 5 MiB) are applied here too. GCP's resumable_upload variant is not emulated: this workspace answers multipart_upload.
/// </summary>
public static class MultipartUploadEndpoints
{
    public const int MaxPartNumber = 10_000;
    public const long MinPartSize = 5L * 1024 * 1024;
    private const string PartRoute = "/presigned/upload-parts/{uploadId}/{partNumber:int}";
    private const string AbortRoute = "/presigned/uploads/{uploadId}";

    /// <summary>Longest presigned-URL lifetime granted, whatever expire_time asks for (the SDK asks for 1 h).</summary>
    public static readonly TimeSpan MaxUrlLifetime = TimeSpan.FromHours(1);

    public sealed record PartUrlsRequest(string? Path, string? SessionToken, int? StartPartNumber, int? Count, string? ExpireTime);
    public sealed record AbortUrlRequest(string? Path, string? SessionToken, string? ExpireTime);
    public sealed record CompleteRequest(IReadOnlyList<CompletedPart>? Parts);
    public sealed record CompletedPart(int PartNumber, string? Etag);
    public sealed record HttpHeader(string Name, string Value);
    public sealed record PresignedUrl(string Url, IReadOnlyList<HttpHeader> Headers);
    public sealed record PartUrl(int PartNumber, string Url, IReadOnlyList<HttpHeader> Headers);
    public sealed record InitiateResponse(SessionTokenBody MultipartUpload);
    public sealed record SessionTokenBody(string SessionToken);
    public sealed record PartUrlsResponse(IReadOnlyList<PartUrl> UploadPartUrls);
    public sealed record AbortUrlResponse(PresignedUrl AbortUploadUrl);

    public static void MapMultipartUploadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(FilesEndpoints.FilesPrefix + "/{**path}", FileActionAsync);
        app.MapPost("/api/2.0/fs/create-upload-part-urls", CreatePartUrlsAsync);
        app.MapPost("/api/2.0/fs/create-abort-upload-url", CreateAbortUrlAsync);
        app.MapPut(PartRoute, UploadPartAsync);
        app.MapDelete(AbortRoute, Abort);
    }

    private static Task<IResult> FileActionAsync(HttpContext context, ISqlEngine engine, UploadSessions sessions)
    {
        var action = context.Request.Query["action"].ToString();
        return action switch
        {
            "initiate-upload" => Task.FromResult(Initiate(context, engine, sessions)),
            "complete-upload" => CompleteAsync(context, engine, sessions),
            "" => Task.FromResult(ErrorEnvelope.BadRequest("POST on a file needs an action (initiate-upload or complete-upload).")),
            _ => Task.FromResult(ErrorEnvelope.BadRequest($"Unsupported action '{action}'.")),
        };
    }

    private static IResult Initiate(HttpContext context, ISqlEngine engine, UploadSessions sessions)
    {
        var (path, error) = VolumePath.Resolve(context, FilesEndpoints.FilesPrefix, engine);
        if (path is null)
            return error!;
        // Same default as the single PUT: overwrite unless asked not to. Checked here and again at completion.
        var overwrite = !string.Equals(context.Request.Query["overwrite"], "false", StringComparison.OrdinalIgnoreCase);
        if (FilesEndpoints.CheckWritable(path, overwrite) is { } conflict)
            return conflict;
        var session = sessions.Start(path, overwrite);
        return Results.Json(new InitiateResponse(new SessionTokenBody(session.Token)), EmulatorJson.Options);
    }

    private static async Task<IResult> CreatePartUrlsAsync(HttpContext context, UploadSessions sessions, PresignedUrlSigner signer)
    {
        var (request, bodyError) = await ReadBodyAsync<PartUrlsRequest>(context);
        if (request is null)
            return bodyError!;
        var (session, sessionError) = FindSession(sessions, request.SessionToken, request.Path);
        if (session is null)
            return sessionError!;
        if (request.StartPartNumber is not { } start || start < 1 || start > MaxPartNumber)
            return ErrorEnvelope.BadRequest($"start_part_number must be between 1 and {MaxPartNumber}.");
        if (request.Count is not { } count || count < 1 || start + count - 1 > MaxPartNumber)
            return ErrorEnvelope.BadRequest($"count must be at least 1 and part numbers must not exceed {MaxPartNumber}.");
        var (expiration, expireError) = ParseExpireTime(request.ExpireTime, signer.Now);
        if (expireError is not null)
            return expireError;

        var origin = Origin(context);
        var urls = Enumerable.Range(start, count)
            .Select(number => new PartUrl(number,
                $"{origin}/presigned/upload-parts/{session.Id}/{number.ToString(CultureInfo.InvariantCulture)}?{signer.QueryFor(PartResource(session.Id, number), expiration)}",
                []))
            .ToList();
        return Results.Json(new PartUrlsResponse(urls), EmulatorJson.Options);
    }

    private static async Task<IResult> CreateAbortUrlAsync(HttpContext context, UploadSessions sessions, PresignedUrlSigner signer)
    {
        var (request, bodyError) = await ReadBodyAsync<AbortUrlRequest>(context);
        if (request is null)
            return bodyError!;
        var (session, sessionError) = FindSession(sessions, request.SessionToken, request.Path);
        if (session is null)
            return sessionError!;
        var (expiration, expireError) = ParseExpireTime(request.ExpireTime, signer.Now);
        if (expireError is not null)
            return expireError;
        var url = $"{Origin(context)}/presigned/uploads/{session.Id}?{signer.QueryFor(AbortResource(session.Id), expiration)}";
        return Results.Json(new AbortUrlResponse(new PresignedUrl(url, [])), EmulatorJson.Options);
    }

    /// <summary>A part PUT to its presigned URL: object-storage rules, so a declared length is required (S3 refuses chunked bodies).</summary>
    private static async Task<IResult> UploadPartAsync(string uploadId, int partNumber, HttpContext context, UploadSessions sessions, PresignedUrlSigner signer)
    {
        if (signer.Check(context, PartResource(uploadId, partNumber)) is { } denied)
            return denied;
        var session = sessions.FindById(uploadId);
        if (session is null)
            return PresignedUrlSigner.StorageError(404, "NoSuchUpload", "The specified multipart upload does not exist.");
        if (context.Request.ContentLength is not { } declared)
            return PresignedUrlSigner.StorageError(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");

        var partFile = Path.Combine(session.PartsDirectory, "part-" + partNumber.ToString("D5", CultureInfo.InvariantCulture));
        var temp = partFile + "." + Guid.NewGuid().ToString("N");
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        try
        {
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    md5.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                }
            }
            // A re-sent part replaces the earlier one, as in S3.
            File.Move(temp, partFile, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            return PresignedUrlSigner.StorageError(404, "NoSuchUpload", "The specified multipart upload does not exist.");
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }

        var etag = "\"" + Convert.ToHexStringLower(md5.GetHashAndReset()) + "\"";
        session.Parts[partNumber] = new UploadSession.Part(partNumber, etag, declared, partFile);
        context.Response.Headers.ETag = etag;
        return Results.Ok();
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, ISqlEngine engine, UploadSessions sessions)
    {
        var (path, pathError) = VolumePath.Resolve(context, FilesEndpoints.FilesPrefix, engine);
        if (path is null)
            return pathError!;
        var uploadType = context.Request.Query["upload_type"].ToString();
        if (uploadType is not ("" or "multipart"))
            return ErrorEnvelope.BadRequest($"upload_type '{uploadType}' does not match this upload (multipart).");
        var (session, sessionError) = FindSession(sessions, context.Request.Query["session_token"], path.ApiPath);
        if (session is null)
            return sessionError!;
        var (request, bodyError) = await ReadBodyAsync<CompleteRequest>(context);
        if (request is null)
            return bodyError!;

        var listed = request.Parts ?? [];
        if (listed.Count == 0)
            return ErrorEnvelope.BadRequest("parts must list at least one uploaded part.");
        var parts = new List<UploadSession.Part>(listed.Count);
        for (var i = 0; i < listed.Count; i++)
        {
            var entry = listed[i];
            if (i > 0 && entry.PartNumber <= listed[i - 1].PartNumber)
                return ErrorEnvelope.BadRequest("parts must be listed in ascending part_number order without repeats.");
            if (!session.Parts.TryGetValue(entry.PartNumber, out var part) || !SameETag(part.ETag, entry.Etag))
                return ErrorEnvelope.BadRequest($"Part {entry.PartNumber} was not uploaded or its etag does not match.");
            if (i < listed.Count - 1 && part.Length < MinPartSize)
                return ErrorEnvelope.BadRequest($"Part {entry.PartNumber} is {part.Length} bytes; every part except the last must be at least {MinPartSize} bytes.");
            parts.Add(part);
        }

        var error = await FilesEndpoints.WriteFileAsync(path, session.Overwrite, async (target, cancellationToken) =>
        {
            foreach (var part in parts)
            {
                await using var source = new FileStream(part.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                await source.CopyToAsync(target, cancellationToken);
            }
        }, context.RequestAborted);
        if (error is not null)
            return error;
        sessions.End(session);
        return Results.Ok();
    }

    private static IResult Abort(string uploadId, HttpContext context, UploadSessions sessions, PresignedUrlSigner signer)
    {
        if (signer.Check(context, AbortResource(uploadId)) is { } denied)
            return denied;
        var session = sessions.FindById(uploadId);
        if (session is null || !sessions.End(session))
            return PresignedUrlSigner.StorageError(404, "NoSuchUpload", "The specified multipart upload does not exist.");
        // The SDK treats only 200/201 as a successful abort (files.py _abort_multipart_upload).
        return Results.Ok();
    }

    private static (UploadSession? Session, IResult? Error) FindSession(UploadSessions sessions, string? token, string? path)
    {
        if (string.IsNullOrEmpty(token))
            return (null, ErrorEnvelope.BadRequest("session_token is required."));
        var session = sessions.FindByToken(token);
        if (session is null)
            return (null, ErrorEnvelope.Result(404, "NOT_FOUND", "The upload session does not exist; it was completed, aborted or has expired."));
        if (!string.Equals(path, session.Target.ApiPath, StringComparison.Ordinal))
            return (null, ErrorEnvelope.BadRequest("path does not match the path the upload was initiated for."));
        return (session, null);
    }

    /// <summary>RFC 3339 (protobuf Timestamp JSON), in the future; capped at MaxUrlLifetime. Absent means the cap.</summary>
    internal static (DateTimeOffset Expiration, IResult? Error) ParseExpireTime(string? text, DateTimeOffset now)
    {
        var cap = now + MaxUrlLifetime;
        if (string.IsNullOrEmpty(text))
            return (cap, null);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var requested))
            return (default, ErrorEnvelope.BadRequest($"expire_time '{text}' is not an RFC 3339 timestamp."));
        if (requested <= now)
            return (default, ErrorEnvelope.BadRequest("expire_time must be in the future."));
        return (requested < cap ? requested : cap, null);
    }

    private static async Task<(T? Body, IResult? Error)> ReadBodyAsync<T>(HttpContext context) where T : class
    {
        try
        {
            var body = await context.Request.ReadFromJsonAsync<T>(EmulatorJson.Options, context.RequestAborted);
            return body is null ? (null, ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "Body must be a JSON object.")) : (body, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, ErrorEnvelope.Result(400, "MALFORMED_REQUEST", "Body must be a JSON object."));
        }
    }

    private static bool SameETag(string stored, string? presented) =>
        presented is not null && string.Equals(stored.Trim('"'), presented.Trim('"'), StringComparison.OrdinalIgnoreCase);

    internal static string Origin(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    private static string PartResource(string uploadId, int partNumber) => $"upload-part/{uploadId}/{partNumber.ToString(CultureInfo.InvariantCulture)}";

    private static string AbortResource(string uploadId) => $"abort-upload/{uploadId}";
}
