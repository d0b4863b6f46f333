using System.Text.Json;

namespace DbxSync.Functions.Invocations;

/// <summary>Where an Event Grid BlobCreated event points: container and blob name (URL-decoded).</summary>
public sealed record BlobCreatedEvent(string Container, string BlobName)
{
    public const string BlobCreatedType = "Microsoft.Storage.BlobCreated";
    private const string SubjectPrefix = "/blobServices/default/containers/";
    private const string BlobsMarker = "/blobs/";

    /// <summary>Null with a reason when the event is not a blob creation or names no blob.</summary>
    public static BlobCreatedEvent? TryParse(JsonElement evt, out string reason)
    {
        reason = "";
        if (evt.ValueKind != JsonValueKind.Object)
        {
            reason = "the message is not an event object";
            return null;
        }
        var type = InvocationEnvelope.Property(evt, "eventType") ?? InvocationEnvelope.Property(evt, "type");
        var typeName = type is { ValueKind: JsonValueKind.String } t ? t.GetString() : null;
        if (typeName != BlobCreatedType)
        {
            reason = $"event type '{typeName ?? "(none)"}' is not {BlobCreatedType}";
            return null;
        }
        if (InvocationEnvelope.Property(evt, "subject") is { ValueKind: JsonValueKind.String } s && FromSubject(s.GetString()!) is { } fromSubject)
            return fromSubject;
        if (InvocationEnvelope.Property(evt, "data") is { } data && InvocationEnvelope.Property(InvocationEnvelope.Unwrap(data), "url") is { ValueKind: JsonValueKind.String } u
            && FromUrl(u.GetString()!) is { } fromUrl)
            return fromUrl;
        reason = "neither subject nor data.url names a blob";
        return null;
    }

    // "/blobServices/default/containers/{container}/blobs/{name}"
    public static BlobCreatedEvent? FromSubject(string subject)
    {
        if (!subject.StartsWith(SubjectPrefix, StringComparison.Ordinal)) return null;
        var rest = subject[SubjectPrefix.Length..];
        var marker = rest.IndexOf(BlobsMarker, StringComparison.Ordinal);
        if (marker <= 0) return null;
        return Create(rest[..marker], rest[(marker + BlobsMarker.Length)..]);
    }

    // https://acct.blob.core.windows.net/{container}/{name}, or path-style (Azurite) http://127.0.0.1:10000/{account}/{container}/{name}
    public static BlobCreatedEvent? FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        var segments = uri.AbsolutePath.TrimStart('/').Split('/', 2);
        var pathStyle = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback;
        if (pathStyle)
        {
            if (segments.Length < 2) return null;
            segments = segments[1].Split('/', 2);
        }
        return segments.Length == 2 ? Create(segments[0], segments[1]) : null;
    }

    private static BlobCreatedEvent? Create(string container, string encodedName)
    {
        var name = Uri.UnescapeDataString(encodedName);
        return container.Length == 0 || name.Length == 0 ? null : new BlobCreatedEvent(Uri.UnescapeDataString(container), name);
    }
}
