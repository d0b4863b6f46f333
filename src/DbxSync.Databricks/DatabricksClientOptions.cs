namespace DbxSync.Databricks;

/// <summary>Settings shared by every workspace a connector talks to.</summary>
public sealed class DatabricksClientOptions
{
    /// <summary>Name of the app setting holding extra allowed hosts (comma-separated host[:port] or http(s)://host[:port]).</summary>
    public const string AllowedHostsSetting = "DBXSYNC_ALLOWED_WORKSPACE_HOSTS";

    /// <summary>
    /// Hosts accepted besides the public Databricks domains. "host[:port]" allows https (and http for loopback
    /// addresses, so a local emulator can be listed as "127.0.0.1:8080"); "http://host[:port]" allows http explicitly.
    /// </summary>
    public IList<string> AllowedWorkspaceHosts { get; init; } = new List<string>();

    /// <summary>Attempts for transient errors (5xx, network) including the first one.</summary>
    public int MaxErrorAttempts { get; init; } = 4;
    /// <summary>Attempts for throttling answers (429, 503 with Retry-After) including the first one; a separate budget.</summary>
    public int MaxThrottleAttempts { get; init; } = 8;
    /// <summary>Total time one call may spend retrying; a wait that would cross it is not started.</summary>
    public TimeSpan MaxRetryDuration { get; init; } = TimeSpan.FromMinutes(3);
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Bound on one HTTP attempt up to the response headers. Must exceed StatementWaitTimeout.</summary>
    public TimeSpan PerAttemptTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A streamed body (result chunk downloads, Files API downloads) that delivers no byte for this long fails
    /// (transiently), instead of holding the run past its lease.
    /// </summary>
    public TimeSpan StreamStallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Server-side wait of the execute call (0 or 5-50 s).</summary>
    public TimeSpan StatementWaitTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Tokens are renewed this long before expiry (at most half the lifetime for short-lived tokens).</summary>
    public TimeSpan TokenRefreshMargin { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// EXTERNAL_LINKS chunks downloaded ahead of the one being read, at most this many at a time. The ADBC C#
    /// Databricks driver measured 57k -> 76k rows/s going from 3 to 16 parallel downloads.
    /// </summary>
    public int MaxParallelChunkDownloads { get; init; } = 8;
    /// <summary>
    /// Bytes of downloaded-but-unread chunks held at once (their manifest byte_count), and so the memory the read ahead
    /// costs. A chunk larger than this is streamed on its own, never buffered. 1 or less parallel downloads, or 0 bytes,
    /// reads chunk by chunk as it streams. The buffers are pooled, so the worker keeps about this much once it exported:
    /// 16 MiB (was 48) keeps the worker under its 160 MiB target and still 8 chunks of 2 MiB in flight.
    /// </summary>
    public long MaxChunkBytesInFlight { get; init; } = 16L * 1024 * 1024;

    public int FilesPageSize { get; init; } = 1000;
    /// <summary>Files of this size or more (and streams of unknown size longer than one part) go as a multipart upload when offered; the SDK's 50 MiB.</summary>
    public long MultipartUploadThreshold { get; init; } = 50L * 1024 * 1024;
    /// <summary>Bytes per part, and so the memory one upload holds; the SDK's default 10 MiB (S3 needs at least 5 MiB but for the last part).</summary>
    public int MultipartUploadPartSize { get; init; } = 10 * 1024 * 1024;
    /// <summary>0 lets the server choose its page size (the documented way to get paging on UC lists).</summary>
    public int CatalogPageSize { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Microsoft Entra authority for entra_client_secret (Azure.Identity's AuthorityHost): the public cloud by default,
    /// AzureAuthorityHosts.AzureGovernment or AzureChina, or a local stand-in. A host that is none of Azure's turns
    /// instance discovery off, which would otherwise call the real login host.
    /// </summary>
    public Uri? EntraAuthorityHost { get; init; }

    /// <summary>The transport Azure.Identity's credentials use (tests and local runs: one trusting the stand-in's certificate).</summary>
    public Azure.Core.Pipeline.HttpPipelineTransport? EntraTransport { get; init; }

    /// <summary>Creates the one transport shared by all workspaces. Tests swap it; it must not follow redirects.</summary>
    public Func<HttpMessageHandler>? HttpMessageHandlerFactory { get; init; }

    /// <summary>Options with AllowedWorkspaceHosts read from the DBXSYNC_ALLOWED_WORKSPACE_HOSTS environment variable.</summary>
    public static DatabricksClientOptions FromEnvironment() => new()
    {
        AllowedWorkspaceHosts = ParseHostList(Environment.GetEnvironmentVariable(AllowedHostsSetting)),
    };

    public static List<string> ParseHostList(string? setting) =>
        (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
