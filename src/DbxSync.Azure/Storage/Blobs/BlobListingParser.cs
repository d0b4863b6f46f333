using System.Globalization;
using System.Xml.Linq;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Parses a List Blobs EnumerationResults page.</summary>
internal static class BlobListingParser
{
    public static BlobListPage Parse(Stream xml)
    {
        var root = XDocument.Load(xml).Root ?? throw new FormatException("Empty List Blobs response.");
        var blobsElement = root.Element("Blobs");
        var blobs = new List<BlobListItem>();
        var prefixes = new List<string>();
        if (blobsElement is not null)
        {
            foreach (var element in blobsElement.Elements())
            {
                if (element.Name == "BlobPrefix")
                    prefixes.Add(ReadName(element.Element("Name")!));
                else if (element.Name == "Blob")
                    blobs.Add(ReadBlob(element));
            }
        }
        var next = root.Element("NextMarker")?.Value;
        return new BlobListPage(blobs, prefixes, string.IsNullOrEmpty(next) ? null : next);
    }

    private static BlobListItem ReadBlob(XElement blob)
    {
        var properties = blob.Element("Properties");
        string? Property(string name) => properties?.Element(name)?.Value;
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in blob.Element("Metadata")?.Elements() ?? [])
            metadata[entry.Name.LocalName] = entry.Value;
        var contentType = Property("Content-Type");
        return new BlobListItem(
            ReadName(blob.Element("Name")!),
            long.TryParse(Property("Content-Length"), CultureInfo.InvariantCulture, out var length) ? length : 0,
            string.IsNullOrEmpty(contentType) ? null : contentType,
            StorageETag.FromListing(Property("Etag") ?? ""),
            DateTimeOffset.TryParse(Property("Last-Modified"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified) ? modified : default,
            metadata);
    }

    // Names XML cannot carry come URL-encoded with Encoded="true".
    private static string ReadName(XElement name) =>
        string.Equals((string?)name.Attribute("Encoded"), "true", StringComparison.OrdinalIgnoreCase)
            ? Uri.UnescapeDataString(name.Value)
            : name.Value;
}
