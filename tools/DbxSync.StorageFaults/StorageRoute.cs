namespace DbxSync.StorageFaults;

/// <summary>One storage service behind the proxy: its name (blob, queue or table), the local port and where it really is.</summary>
public sealed record StorageRoute(string Service, int Port, Uri Target)
{
    /// <summary>"blob,10003,http://127.0.0.1:10000" (port 0: any free port).</summary>
    public static StorageRoute Parse(string text) => text.Split(',', 3) is [var service, var port, var target]
        && service is "blob" or "queue" or "table" && int.TryParse(port, out var p) && Uri.TryCreate(target, UriKind.Absolute, out var uri)
        ? new StorageRoute(service, p, uri)
        : throw new ArgumentException($"--route '{text}': expected SERVICE,PORT,URL with SERVICE blob, queue or table");
}
