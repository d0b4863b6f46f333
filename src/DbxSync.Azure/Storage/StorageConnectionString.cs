namespace DbxSync.Azure.Storage;

/// <summary>
/// A parsed storage connection string. Explicit service endpoints win over the
/// protocol + account + suffix form, and <c>UseDevelopmentStorage=true</c> is expanded here
/// because nothing downstream knows about it.
/// </summary>
public sealed class StorageConnectionString
{
    public const string DevelopmentAccountName = "devstoreaccount1";

    // Published by Microsoft for the emulator; not a secret.
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(string accountName, StorageSharedKeyCredential? credential, Uri blob, Uri queue, Uri table)
    {
        AccountName = accountName;
        Credential = credential;
        BlobEndpoint = blob;
        QueueEndpoint = queue;
        TableEndpoint = table;
    }

    public string AccountName { get; }
    /// <summary>Null when the string carries no AccountKey (for example a SAS-only string, which we do not sign).</summary>
    public StorageSharedKeyCredential? Credential { get; }
    public Uri BlobEndpoint { get; }
    public Uri QueueEndpoint { get; }
    public Uri TableEndpoint { get; }

    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = ParseSettings(connectionString);

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
            return ForDevelopmentStorage(settings.GetValueOrDefault("DevelopmentStorageProxyUri"));

        var accountName = settings.GetValueOrDefault("AccountName");
        var accountKey = settings.GetValueOrDefault("AccountKey");
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol") ?? "https";
        var suffix = settings.GetValueOrDefault("EndpointSuffix") ?? "core.windows.net";
        if (protocol is not ("http" or "https"))
            throw new FormatException($"DefaultEndpointsProtocol must be http or https, not '{protocol}'.");

        Uri Endpoint(string key, string service)
        {
            if (settings.TryGetValue(key, out var explicitEndpoint))
                return ParseEndpoint(key, explicitEndpoint);
            if (string.IsNullOrEmpty(accountName))
                throw new FormatException($"The connection string has neither {key} nor AccountName.");
            return new Uri($"{protocol}://{accountName}.{service}.{suffix}");
        }

        var blob = Endpoint("BlobEndpoint", "blob");
        var queue = Endpoint("QueueEndpoint", "queue");
        var table = Endpoint("TableEndpoint", "table");
        accountName ??= InferAccountName(blob)
            ?? throw new FormatException("The connection string has no AccountName and none can be inferred from the endpoints.");

        StorageSharedKeyCredential? credential = null;
        if (!string.IsNullOrEmpty(accountKey))
            credential = new StorageSharedKeyCredential(accountName, accountKey);
        else if (!settings.ContainsKey("SharedAccessSignature"))
            throw new FormatException("The connection string has no AccountKey.");

        return new StorageConnectionString(accountName, credential, blob, queue, table);
    }

    public static bool TryParse(string? connectionString, out StorageConnectionString? result)
    {
        try
        {
            result = connectionString is null ? null : Parse(connectionString);
            return result is not null;
        }
        catch (FormatException)
        {
            result = null;
            return false;
        }
    }

    public static StorageConnectionString ForDevelopmentStorage(string? proxyUri = null)
    {
        var scheme = "http";
        var host = "127.0.0.1";
        if (!string.IsNullOrEmpty(proxyUri))
        {
            var proxy = ParseEndpoint("DevelopmentStorageProxyUri", proxyUri);
            scheme = proxy.Scheme;
            host = proxy.Host;
        }
        Uri Endpoint(int port) => new($"{scheme}://{host}:{port}/{DevelopmentAccountName}");
        return new StorageConnectionString(
            DevelopmentAccountName,
            new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
            Endpoint(10000), Endpoint(10001), Endpoint(10002));
    }

    /// <summary>Never prints the key: connection strings end up in logs through careless formatting.</summary>
    public override string ToString() =>
        $"AccountName={AccountName};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};AccountKey=***";

    private static Dictionary<string, string> ParseSettings(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Keys and SAS tokens contain '=', so only the first one separates name from value.
            var eq = part.IndexOf('=');
            if (eq <= 0)
                throw new FormatException("Connection string settings must be name=value pairs separated by ';'.");
            var name = part[..eq].Trim();
            if (!settings.TryAdd(name, part[(eq + 1)..].Trim()))
                throw new FormatException($"The connection string sets '{name}' twice.");
        }
        return settings;
    }

    private static Uri ParseEndpoint(string key, string value)
    {
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FormatException($"{key} must be an absolute http(s) URI.");
        return uri;
    }

    // Path-style endpoints (emulators) carry the account as their first segment; Azure endpoints in the host.
    private static string? InferAccountName(Uri endpoint)
    {
        var firstSegment = endpoint.AbsolutePath.Trim('/').Split('/')[0];
        if (!string.IsNullOrEmpty(firstSegment))
            return firstSegment;
        var dot = endpoint.Host.IndexOf('.');
        return dot > 0 && !System.Net.IPAddress.TryParse(endpoint.Host, out _) ? endpoint.Host[..dot] : null;
    }
}
