using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace DbxSync.Functions.WebConsole;

/// <summary>One static file of the console, ready to send.</summary>
public sealed record ConsoleAsset(string Path, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The web console's files, embedded in this assembly so that deploying the app deploys the console (nothing from a
/// CDN). Assets live under a version segment (a hash of all of them), so they can be cached forever; index.html is
/// the only mutable entry point and names that version. Host-neutral: any HTTP front (ASP.NET endpoint or Functions
/// HTTP trigger) asks <see cref="Find"/> and sends what it gets.
/// </summary>
public sealed class ConsoleAssets
{
    public const string IndexPath = "index.html";
    private const string ResourcePrefix = "console/";
    private const string VersionPlaceholder = "__CONSOLE_VERSION__";

    private readonly FrozenDictionary<string, ConsoleAsset> _assets;

    public ConsoleAssets() : this(typeof(ConsoleAssets).Assembly) { }

    public ConsoleAssets(Assembly assembly)
    {
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToDictionary(n => n[ResourcePrefix.Length..], n => Read(assembly, n), StringComparer.Ordinal);
        if (!files.ContainsKey(IndexPath)) throw new InvalidOperationException("The console's index.html is not embedded in the app.");

        using (var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var (name, content) in files)
            {
                all.AppendData(Encoding.UTF8.GetBytes(name));
                all.AppendData(content);
            }
            Version = Convert.ToHexStringLower(all.GetHashAndReset())[..12];
        }

        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var (name, content) in files)
        {
            var bytes = name == IndexPath ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content).Replace(VersionPlaceholder, Version, StringComparison.Ordinal)) : content;
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            assets[name] = new ConsoleAsset(name, ContentTypeOf(name), bytes, etag);
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Changes whenever any console file changes; the assets' URL segment.</summary>
    public string Version { get; }

    public ConsoleAsset Index => _assets[IndexPath];

    /// <summary>An asset by its path under assets/{version}/, or null (also for another version: stale tabs reload index).</summary>
    public ConsoleAsset? Find(string version, string path)
        => version == Version && path != IndexPath && _assets.TryGetValue(path, out var asset) ? asset : null;

    public long TotalBytes => _assets.Values.Sum(a => (long)a.Content.Length);

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentTypeOf(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };
}
