using DbxSync.Emulator.Http;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Files;

/// <summary>
/// POST /api/2.0/fs/create-download-url?path=&amp;expire_time= -> {"url", "headers": [{name, value}]}: a presigned
/// download URL for a volume file, which the Databricks SDK for Python tries before the plain Files API GET and then
/// reads without its token, with Range and If-Unmodified-Since when it resumes or downloads in parallel
/// (databricks-sdk-py @9ae2241 databricks/sdk/mixins/files.py build_download_url l. 811,
/// _init_download_response_presigned_api l. 2591, _open_download_stream l. 2527; files_utils.py CreateDownloadUrlResponse).
/// </summary>
public static class PresignedDownloadEndpoints
{
    private const string DownloadPrefix = "/presigned/files";

    public sealed record DownloadUrlResponse(string Url, IReadOnlyList<MultipartUploadEndpoints.HttpHeader> Headers);

    public static void MapPresignedDownloadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/2.0/fs/create-download-url", CreateDownloadUrl);
        app.MapMethods(DownloadPrefix + "/{**path}", ["GET", "HEAD"], Download);
    }

    private static IResult CreateDownloadUrl(HttpContext context, ISqlEngine engine, PresignedUrlSigner signer)
    {
        var requested = context.Request.Query["path"].ToString();
        if (requested.Length == 0)
            return ErrorEnvelope.BadRequest("path is required.");
        var (path, error) = VolumePath.ResolveApiPath(requested, engine);
        if (path is null)
            return error!;
        if (!File.Exists(path.FullPath))
            return FilesErrors.FileNotFound(path.ApiPath);
        var (expiration, expireError) = MultipartUploadEndpoints.ParseExpireTime(context.Request.Query["expire_time"], signer.Now);
        if (expireError is not null)
            return expireError;

        var encoded = string.Join('/', path.ApiPath.Split('/').Select(Uri.EscapeDataString));
        var url = $"{MultipartUploadEndpoints.Origin(context)}{DownloadPrefix}{encoded}?{signer.QueryFor(Resource(path), expiration)}";
        return Results.Json(new DownloadUrlResponse(url, []), EmulatorJson.Options);
    }

    private static IResult Download(HttpContext context, ISqlEngine engine, PresignedUrlSigner signer)
    {
        var (path, _) = VolumePath.Resolve(context, DownloadPrefix, engine);
        if (path is null)
            return PresignedUrlSigner.StorageError(403, "AccessDenied", "Signature does not match.");
        if (signer.Check(context, Resource(path)) is { } denied)
            return denied;
        var file = new FileInfo(path.FullPath);
        if (!file.Exists)
            return PresignedUrlSigner.StorageError(404, "NoSuchKey", "The specified key does not exist.");
        // Range, If-Range and If-Unmodified-Since (412) are handled by the file result, as object storage does.
        return Results.File(file.FullName, "application/octet-stream", lastModified: new DateTimeOffset(file.LastWriteTimeUtc), enableRangeProcessing: true);
    }

    private static string Resource(VolumePath path) => "download" + path.ApiPath;
}
