using System.Globalization;
using System.Text;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Files;

/// <summary>Files API 2.0 on Unity Catalog volumes: /fs/files for content, /fs/directories for structure.</summary>
public static class FilesEndpoints
{
    internal const string FilesPrefix = "/api/2.0/fs/files";
    private const string DirectoriesPrefix = "/api/2.0/fs/directories";
    private const int MaxPageSize = 1000;

    /// <summary>In-flight uploads live next to their target (so the final rename is atomic) and stay invisible.</summary>
    public const string UploadTempPrefix = ".dbxemu-upload-";

    public sealed record DirectoryEntry(string Path, string Name, bool IsDirectory, long? FileSize, long? LastModified);

    public sealed record DirectoryListing(IReadOnlyList<DirectoryEntry>? Contents, string? NextPageToken);

    public static void MapFilesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods(FilesPrefix + "/{**path}", ["GET", "HEAD"], ReadFile);
        app.MapPut(FilesPrefix + "/{**path}", UploadFileAsync);
        app.MapDelete(FilesPrefix + "/{**path}", DeleteFile);

        app.MapGet(DirectoriesPrefix + "/{**path}", ListDirectory);
        app.MapMethods(DirectoriesPrefix + "/{**path}", ["HEAD"], DirectoryExists);
        app.MapPut(DirectoriesPrefix + "/{**path}", CreateDirectory);
        app.MapDelete(DirectoriesPrefix + "/{**path}", DeleteDirectory);
    }

    private static IResult ReadFile(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, FilesPrefix, engine);
        if (path is null)
            return error!;
        var file = new FileInfo(path.FullPath);
        if (!file.Exists)
            return FilesErrors.FileNotFound(path.ApiPath);

        var lastModified = new DateTimeOffset(file.LastWriteTimeUtc);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentLength = file.Length;
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
            return Results.Empty;
        }
        return Results.File(file.FullName, "application/octet-stream", lastModified: lastModified, enableRangeProcessing: true);
    }

    private static async Task<IResult> UploadFileAsync(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, FilesPrefix, engine);
        if (path is null)
            return error!;
        var overwrite = !string.Equals(context.Request.Query["overwrite"], "false", StringComparison.OrdinalIgnoreCase);
        return await WriteFileAsync(path, overwrite, (target, cancellationToken) => context.Request.Body.CopyToAsync(target, cancellationToken), context.RequestAborted)
               ?? Results.NoContent();
    }

    /// <summary>Why a file cannot be written at <paramref name="path"/> (a directory there, or an existing file without overwrite); null when it can.</summary>
    internal static IResult? CheckWritable(VolumePath path, bool overwrite)
    {
        if (path.IsVolumeRoot || Directory.Exists(path.FullPath))
            return FilesErrors.Conflict($"A directory exists at {path.ApiPath}.");
        if (!overwrite && File.Exists(path.FullPath))
            return FilesErrors.FileAlreadyExists(path.ApiPath);
        return null;
    }

    /// <summary>
    /// Writes the content to a hidden temp file beside the target, then renames it into place, so readers never see a
    /// partial file and overwrite=false holds even against a concurrent writer. Parent directories are created. Null on success.
    /// </summary>
    internal static async Task<IResult?> WriteFileAsync(VolumePath path, bool overwrite, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        if (CheckWritable(path, overwrite) is { } conflict)
            return conflict;

        var parent = Path.GetDirectoryName(path.FullPath)!;
        try
        {
            Directory.CreateDirectory(parent);
        }
        catch (IOException)
        {
            return FilesErrors.Conflict($"A file exists where a parent directory of {path.ApiPath} is needed.");
        }

        var temp = Path.Combine(parent, UploadTempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                await writeContent(target, cancellationToken);
            File.Move(temp, path.FullPath, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(path.FullPath))
        {
            return FilesErrors.FileAlreadyExists(path.ApiPath);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
        return null;
    }

    private static IResult DeleteFile(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, FilesPrefix, engine);
        if (path is null)
            return error!;
        if (!File.Exists(path.FullPath))
            return FilesErrors.FileNotFound(path.ApiPath);
        File.Delete(path.FullPath);
        return Results.NoContent();
    }

    private static IResult DirectoryExists(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, DirectoriesPrefix, engine);
        if (path is null)
            return error!;
        return Directory.Exists(path.FullPath) ? Results.Ok() : FilesErrors.DirectoryNotFound(path.ApiPath);
    }

    private static IResult CreateDirectory(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, DirectoriesPrefix, engine);
        if (path is null)
            return error!;
        if (File.Exists(path.FullPath))
            return FilesErrors.Conflict($"A file exists at {path.ApiPath}.");
        try
        {
            Directory.CreateDirectory(path.FullPath);
        }
        catch (IOException)
        {
            return FilesErrors.Conflict($"A file exists where a parent directory of {path.ApiPath} is needed.");
        }
        return Results.Ok();
    }

    private static IResult DeleteDirectory(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, DirectoriesPrefix, engine);
        if (path is null)
            return error!;
        if (!Directory.Exists(path.FullPath))
            return FilesErrors.DirectoryNotFound(path.ApiPath);
        if (path.IsVolumeRoot)
            return ErrorEnvelope.BadRequest("The root directory of a volume cannot be deleted.");
        if (Directory.EnumerateFileSystemEntries(path.FullPath).Any())
            return FilesErrors.DirectoryNotEmpty(path.ApiPath);
        try
        {
            Directory.Delete(path.FullPath);
        }
        catch (IOException)
        {
            return FilesErrors.DirectoryNotEmpty(path.ApiPath);
        }
        return Results.NoContent();
    }

    private static IResult ListDirectory(HttpContext context, ISqlEngine engine)
    {
        var (path, error) = VolumePath.Resolve(context, DirectoriesPrefix, engine);
        if (path is null)
            return error!;
        if (!Directory.Exists(path.FullPath))
            return FilesErrors.DirectoryNotFound(path.ApiPath);

        var pageSize = MaxPageSize;
        var pageSizeText = context.Request.Query["page_size"].ToString();
        if (pageSizeText.Length > 0)
        {
            if (!int.TryParse(pageSizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize))
                return ErrorEnvelope.BadRequest($"page_size must be a non-negative integer, got '{pageSizeText}'.");
            pageSize = pageSize is <= 0 or > MaxPageSize ? MaxPageSize : pageSize;
        }

        string? after = null;
        var token = context.Request.Query["page_token"].ToString();
        if (token.Length > 0 && (after = DecodePageToken(token)) is null)
            return ErrorEnvelope.BadRequest("Invalid page_token.");

        var directory = new DirectoryInfo(path.FullPath);
        var remaining = directory.EnumerateFileSystemInfos()
            .Where(entry => !entry.Name.StartsWith(UploadTempPrefix, StringComparison.Ordinal))
            .Where(entry => after is null || string.CompareOrdinal(entry.Name, after) > 0)
            .OrderBy(entry => entry.Name, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();

        var page = remaining.Take(pageSize).Select(entry => entry is FileInfo file
                ? new DirectoryEntry(path.ApiPathOf(file.Name), file.Name, false, file.Length, ToUnixMs(file.LastWriteTimeUtc))
                : new DirectoryEntry(path.ApiPathOf(entry.Name), entry.Name, true, null, ToUnixMs(entry.LastWriteTimeUtc)))
            .ToList();
        var nextToken = remaining.Count > pageSize ? EncodePageToken(page[^1].Name) : null;
        return Results.Json(new DirectoryListing(page.Count == 0 ? null : page, nextToken), EmulatorJson.Options);
    }

    private static long ToUnixMs(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string EncodePageToken(string lastName) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + lastName)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodePageToken(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return text.StartsWith("after:", StringComparison.Ordinal) ? text["after:".Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
