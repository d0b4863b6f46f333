namespace DbxSync.Core.Syncs.Datasets;

/// <summary>
/// The content type an input file is recorded and served with, by extension: the formats labeling platforms take
/// (images, video, audio, text). Core has no web framework to borrow a MIME table from (ASP.NET's
/// FileExtensionContentTypeProvider lives in the Functions host's framework), and this list is what inputs need.
/// Anything else is application/octet-stream.
/// </summary>
public static class InputContentTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif", [".webp"] = "image/webp",
        [".bmp"] = "image/bmp", [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".svg"] = "image/svg+xml",
        [".mp4"] = "video/mp4", [".mov"] = "video/quicktime", [".webm"] = "video/webm",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".flac"] = "audio/flac",
        [".txt"] = "text/plain", [".csv"] = "text/csv", [".json"] = "application/json", [".jsonl"] = "application/jsonl",
        [".pdf"] = "application/pdf", [".html"] = "text/html", [".md"] = "text/markdown",
    };

    public static string For(string path) => ByExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";
}
