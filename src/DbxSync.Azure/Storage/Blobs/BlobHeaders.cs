using System.Globalization;
using Azure;
using Azure.Core;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Reading and writing the header conventions shared by the blob operations.</summary>
internal static class BlobHeaders
{
    private const string MetadataPrefix = "x-ms-meta-";

    public static void AddConditions(Request request, BlobRequestConditions? conditions)
    {
        if (conditions is null)
            return;
        if (conditions.IfMatch is { } ifMatch)
            request.Headers.SetValue("If-Match", StorageETag.ToHeaderValue(ifMatch));
        if (conditions.IfNoneMatch is { } ifNoneMatch)
            request.Headers.SetValue("If-None-Match", StorageETag.ToHeaderValue(ifNoneMatch));
        if (conditions.LeaseId is { } leaseId)
            request.Headers.SetValue("x-ms-lease-id", leaseId);
    }

    public static void AddMetadata(Request request, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
            return;
        foreach (var (name, value) in metadata)
        {
            if (!IsIdentifier(name))
                throw new ArgumentException($"Metadata name '{name}' must be a C# identifier.", nameof(metadata));
            request.Headers.SetValue(MetadataPrefix + name, value);
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    public static IReadOnlyDictionary<string, string> ReadMetadata(Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
                metadata[header.Name[MetadataPrefix.Length..]] = header.Value;
        }
        return metadata;
    }

    public static ETag ReadETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) ? StorageETag.FromHeader(etag) : default;

    public static DateTimeOffset ReadDate(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : default;

    public static string? Read(Response response, string name) => response.Headers.TryGetValue(name, out var value) ? value : null;

    public static BlobProperties ReadProperties(Response response, long contentLength) => new(
        contentLength,
        Read(response, "Content-Type"),
        ReadETag(response),
        ReadDate(response, "Last-Modified"),
        Read(response, "x-ms-creation-time") is { } created ? ReadDate(response, "x-ms-creation-time") : null,
        Read(response, "x-ms-blob-type"),
        Read(response, "x-ms-lease-state"),
        Read(response, "x-ms-lease-status"),
        ReadMetadata(response));

    public static long ReadContentLength(Response response) =>
        response.Headers.TryGetValue("Content-Length", out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
}
