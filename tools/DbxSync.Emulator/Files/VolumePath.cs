using Microsoft.AspNetCore.Http.Features;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Files;

/// <summary>
/// A /Volumes/catalog/schema/volume/... path resolved to a location inside that volume's directory.
/// Parsed from the raw request target, segment by segment, so neither dot segments nor percent-encoded
/// separators can reach outside the volume.
/// </summary>
public sealed record VolumePath(string Catalog, string Schema, string Volume, IReadOnlyList<string> RelativeSegments, string VolumeRoot, string FullPath)
{
    public bool IsVolumeRoot => RelativeSegments.Count == 0;

    public string ApiPath => "/Volumes/" + string.Join('/', new[] { Catalog, Schema, Volume }.Concat(RelativeSegments));

    public string ApiPathOf(string childName) => ApiPath + "/" + childName;

    /// <summary>Decodes the raw path after <paramref name="routePrefix"/>; null with an error message when invalid.</summary>
    public static (IReadOnlyList<string>? Segments, string? Error) DecodeSegments(HttpContext context, string routePrefix)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var queryStart = raw.IndexOf('?');
        if (queryStart >= 0)
            raw = raw[..queryStart];
        if (!raw.StartsWith(routePrefix, StringComparison.Ordinal))
            return (null, "Path must be an absolute volume path /Volumes/<catalog>/<schema>/<volume>/...");

        var rawSegments = raw[routePrefix.Length..].Split('/');
        if (rawSegments.Length > 0 && rawSegments[^1].Length == 0)
            rawSegments = rawSegments[..^1]; // tolerate a trailing slash on directories
        var segments = new List<string>();
        for (var i = 0; i < rawSegments.Length; i++)
        {
            var decoded = Uri.UnescapeDataString(rawSegments[i]);
            if (i == 0 && decoded.Length == 0)
                continue; // the path's leading slash
            if (decoded.Length == 0 || decoded is "." or ".." || decoded.IndexOfAny(['/', '\\', '\0']) >= 0)
                return (null, $"Invalid path segment '{rawSegments[i]}': relative or empty segments are not allowed.");
            segments.Add(decoded);
        }
        return (segments, null);
    }

    public static (VolumePath? Path, IResult? Error) Resolve(HttpContext context, string routePrefix, ISqlEngine engine)
    {
        var (segments, error) = DecodeSegments(context, routePrefix);
        return segments is null ? (null, FilesErrors.InvalidPath(error!)) : Resolve(segments, engine);
    }

    /// <summary>Resolves an unencoded absolute path given as a value (a query or body field), e.g. "/Volumes/c/s/v/a b.csv".</summary>
    public static (VolumePath? Path, IResult? Error) ResolveApiPath(string apiPath, ISqlEngine engine)
    {
        var raw = apiPath.Split('/');
        if (raw[0].Length != 0)
            return (null, FilesErrors.InvalidPath("Path must be an absolute volume path /Volumes/<catalog>/<schema>/<volume>/..."));
        var segments = raw.Skip(1).ToList();
        if (segments.Count > 0 && segments[^1].Length == 0)
            segments.RemoveAt(segments.Count - 1);
        if (segments.FirstOrDefault(s => s.Length == 0 || s is "." or ".." || s.IndexOfAny(['\\', '\0']) >= 0) is { } bad)
            return (null, FilesErrors.InvalidPath($"Invalid path segment '{bad}': relative or empty segments are not allowed."));
        return Resolve(segments, engine);
    }

    private static (VolumePath? Path, IResult? Error) Resolve(IReadOnlyList<string> segments, ISqlEngine engine)
    {
        if (segments.Count < 4 || segments[0] != "Volumes")
            return (null, FilesErrors.InvalidPath("Path must be an absolute volume path /Volumes/<catalog>/<schema>/<volume>/..."));

        var (catalog, schema, volume) = (segments[1], segments[2], segments[3]);
        if (engine.GetVolume(catalog, schema, volume) is null)
            return (null, Http.ErrorEnvelope.Result(404, "NOT_FOUND", $"Volume '{catalog}.{schema}.{volume}' does not exist.",
                Http.ErrorEnvelope.Reason("FILES_API_VOLUME_NOT_FOUND")));

        var root = System.IO.Path.GetFullPath(engine.GetVolumeDirectory(catalog, schema, volume));
        var relative = segments.Skip(4).ToArray();
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine([root, .. relative]));
        var rootWithSeparator = root.EndsWith(System.IO.Path.DirectorySeparatorChar) ? root : root + System.IO.Path.DirectorySeparatorChar;
        if (full != root.TrimEnd(System.IO.Path.DirectorySeparatorChar) && !full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            return (null, FilesErrors.InvalidPath("Path escapes the volume."));

        return (new VolumePath(catalog, schema, volume, relative, root, full), null);
    }
}
