using System.Net;
using System.Text.Json;
using Yarp.ReverseProxy.Forwarder;

namespace DbxSync.StorageFaults;

/// <summary>
/// A reverse proxy between an app and its storage emulator that fails a seeded share of requests the way a storage
/// account does (503 ServerBusy, 500 InternalError, a reset connection) and forwards the rest untouched.
/// Why by hand: Azurite has no fault injection, and the SDKs' own test transports fail requests inside one client
/// only, while a soak needs every storage client of the app (its adapters and the Functions host's triggers) to meet
/// the same faults over real HTTP. Forwarding itself is YARP's (IHttpForwarder); only the choice of which request to
/// fail, and the error bodies, are written here. Loopback callers tune it with POST /_faults and read GET /_faults/stats
/// (the leading underscore cannot start a storage account name, so no storage path is shadowed).
/// </summary>
public sealed class StorageFaultProxy : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly List<WebApplication> _apps;

    private StorageFaultProxy(List<WebApplication> apps, StorageFaultInjector faults, IReadOnlyDictionary<string, Uri> endpoints)
    {
        _apps = apps;
        Faults = faults;
        Endpoints = endpoints;
    }

    public StorageFaultInjector Faults { get; }

    /// <summary>Each service's proxied base URL (http://127.0.0.1:PORT), by service name.</summary>
    public IReadOnlyDictionary<string, Uri> Endpoints { get; }

    /// <summary>
    /// A proxy on free loopback ports in front of each endpoint of <paramref name="connectionString"/> (BlobEndpoint,
    /// QueueEndpoint, TableEndpoint), and the same connection string with those endpoints pointing at the proxy.
    /// </summary>
    public static async Task<(StorageFaultProxy Proxy, string ConnectionString)> StartInFrontOfAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToList();
        var routes = parts.Where(p => p[0] is "BlobEndpoint" or "QueueEndpoint" or "TableEndpoint")
            .Select(p => new StorageRoute(p[0][..^"Endpoint".Length].ToLowerInvariant(), 0, new Uri(p[1]))).ToList();
        var proxy = await StartAsync(routes, cancellationToken);
        var rewritten = parts.Select(p => p[0] is "BlobEndpoint" or "QueueEndpoint" or "TableEndpoint"
            ? $"{p[0]}={new Uri(proxy.Endpoints[p[0][..^"Endpoint".Length].ToLowerInvariant()], new Uri(p[1]).PathAndQuery).AbsoluteUri.TrimEnd('/')}"
            : string.Join('=', p));
        return (proxy, string.Join(';', rewritten) + ";");
    }

    public static async Task<StorageFaultProxy> StartAsync(IReadOnlyList<StorageRoute> routes, CancellationToken cancellationToken = default)
    {
        var faults = new StorageFaultInjector();
        var apps = new List<WebApplication>();
        var endpoints = new Dictionary<string, Uri>();
        foreach (var route in routes)
        {
            var app = Build(route, faults);
            await app.StartAsync(cancellationToken);
            apps.Add(app);
            endpoints[route.Service] = new Uri(app.Urls.First().TrimEnd('/') + "/");
        }
        return new StorageFaultProxy(apps, faults, endpoints);
    }

    private static WebApplication Build(StorageRoute route, StorageFaultInjector faults)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, route.Port));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var target = route.Target.GetLeftPart(UriPartial.Authority);
        // Azurite's own answers pass through as they are: no redirects, no decompression, no cookies.
        var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false,
        });
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(5) };

        app.Run(async context =>
        {
            if (context.Request.Path.StartsWithSegments("/_faults", out var rest))
            {
                await ControlAsync(context, rest, faults);
                return;
            }
            if (faults.Next() is { } kind)
            {
                // Failed before storage sees the request: what a busy or failing front end does.
                await StorageErrorResponse.WriteAsync(context, route.Service, kind);
                return;
            }
            await forwarder.SendAsync(context, target, client, config, HttpTransformer.Empty);
        });
        return app;
    }

    private static async Task ControlAsync(HttpContext context, PathString rest, StorageFaultInjector faults)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (rest == "/stats" && HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.WriteAsJsonAsync(faults.Stats(), Json);
            return;
        }
        if (rest == "" && HttpMethods.IsPost(context.Request.Method))
        {
            StorageFaultSettings? settings;
            try
            {
                settings = await context.Request.ReadFromJsonAsync<StorageFaultSettings>(Json);
                if (settings is null) throw new JsonException("empty body");
                faults.Apply(settings);
            }
            catch (Exception exception) when (exception is JsonException or ArgumentOutOfRangeException)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error = exception.Message });
                return;
            }
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync();
    }
}
