using System.Net;
using DbxSync.Databricks.Auth;

namespace DbxSync.Databricks.Http;

/// <summary>
/// The shared connection pool and the pipelines built on it. One pool serves every workspace; redirects are
/// never followed, so a credential can never be carried to a host that was not validated.
/// </summary>
public sealed class DatabricksTransport : IDisposable
{
    private readonly HttpMessageHandler _pool;
    private readonly bool _ownsPool;

    public DatabricksTransport(DatabricksClientOptions options)
    {
        Options = options;
        if (options.HttpMessageHandlerFactory is { } factory)
        {
            _pool = factory();
            _ownsPool = false;
        }
        else
        {
            _pool = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(20),
                UseCookies = false,
            };
            _ownsPool = true;
        }
        Anonymous = NewClient(new DatabricksRetryHandler(options, _pool));
    }

    public DatabricksClientOptions Options { get; }

    /// <summary>Retries but sends no credentials: token requests (which carry their own) and presigned result links.</summary>
    internal HttpClient Anonymous { get; }

    internal HttpClient Authenticated(TokenProvider tokens) =>
        NewClient(new BearerTokenHandler(tokens, new DatabricksRetryHandler(Options, _pool)));

    // disposeHandler: false, because the pool underneath is shared by every pipeline.
    private static HttpClient NewClient(HttpMessageHandler pipeline) => new(pipeline, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        if (_ownsPool) _pool.Dispose();
    }
}
