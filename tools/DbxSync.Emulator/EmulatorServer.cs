using System.Net;
using DbxSync.Emulator.Admin;
using DbxSync.Emulator.Auth;
using DbxSync.Emulator.Entra;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Files;
using DbxSync.Emulator.Http;
using DbxSync.Emulator.Provisioning;
using DbxSync.Emulator.Scim;
using DbxSync.Emulator.Sql;
using DbxSync.Emulator.Statements;
using DbxSync.Emulator.UnityCatalog;
using DbxSync.Emulator.Warehouses;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DbxSync.Emulator;

/// <summary>Starts a local Databricks workspace emulator on 127.0.0.1 over real HTTP.</summary>
public static class EmulatorServer
{
    /// <param name="engine">The SQL engine to serve; when null, <see cref="EmulatorOptions.EngineFactory"/> builds one that the handle owns.</param>
    public static async Task<EmulatorHandle> StartAsync(EmulatorOptions options, ISqlEngine? engine = null, CancellationToken cancellationToken = default)
    {
        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(options.DataDirectory);

        var ownsEngine = engine is null;
        engine ??= options.EngineFactory?.Invoke(options.DataDirectory)
                   ?? throw new InvalidOperationException(
                       "No SQL engine: pass one to StartAsync or set EmulatorOptions.EngineFactory (the real SqliteDeltaEngine is wired at merge).");

        var credentials = EmulatorCredentials.Provision(options);
        var faults = new FaultInjector(options.Faults);
        var stats = new EmulatorStats();
        var time = options.TimeProvider;
        var store = new StatementStore(options, time);
        var presigner = new PresignedUrlSigner(time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = null; // Files API uploads go up to 5 GiB, streamed to disk
            kestrel.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        // ASP.NET Core's request logs include query strings, i.e. external-link signatures.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(json => EmulatorJson.Configure(json.SerializerOptions));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(credentials);
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(presigner);
        builder.Services.AddSingleton(new ExternalLinkSigner(presigner));
        builder.Services.AddSingleton(new UploadSessions(options, time));
        // A development server must stop promptly on SIGTERM/Ctrl+C: in-flight requests (statement waits of up to
        // 50 s) get this long, then their connections are closed.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(new TokenService(credentials, options.TokenLifetime, faults, time));
        builder.Services.AddSingleton<WorkspaceWarehouseConfig>();
        builder.Services.AddSingleton(options.Entra);
        builder.Services.AddSingleton(new ScimDirectory(credentials));
        builder.Services.AddSingleton<EntraSigningKeys>();
        builder.Services.AddSingleton<EntraTokenValidator>();
        builder.Services.AddSingleton<StatementRunner>();
        builder.Services.AddSingleton<StatementResponseBuilder>();

        var app = builder.Build();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseRouting();
        app.UseMiddleware<RequestCountingMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        app.UseMiddleware<BearerAuthenticationMiddleware>();
        app.UseMiddleware<EntitlementMiddleware>();
        app.UseMiddleware<PathTraversalGuardMiddleware>();

        app.MapHostMetadataEndpoints();
        app.MapAuthEndpoints();
        app.MapWarehouseEndpoints();
        app.MapWorkspaceWarehouseConfigEndpoints();
        app.MapStatementEndpoints();
        app.MapExternalLinkEndpoints();
        app.MapFilesEndpoints();
        app.MapMultipartUploadEndpoints();
        app.MapPresignedDownloadEndpoints();
        app.MapUnityCatalogEndpoints();
        app.MapScimEndpoints();
        app.MapAzureAdAuthEndpoints();
        app.MapAdminEndpoints(options.AdminToken);
        // "{**path}" rather than MapFallback's default "{*path:nonfile}", which skips file-like paths such as
        // ".../big.bin" and left them an empty 404. Any method, so a method mismatch also gets the JSON envelope.
        app.MapFallback("{**path}", (HttpContext context) =>
            ErrorEnvelope.NotFound("ENDPOINT_NOT_FOUND", $"No API found for '{context.Request.Method} {context.Request.Path}'."));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            store.Dispose();
            if (ownsEngine)
                await DisposeEngineAsync(engine);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        if (options.CredentialsOutputPath is { } credentialsPath)
            CredentialsFile.Write(credentialsPath, baseUrl, credentials, options.AdminToken);

        return new EmulatorHandle(app, baseUrl, credentials, faults, stats, engine, store, options,
            ownsEngine ? () => DisposeEngineAsync(engine) : () => ValueTask.CompletedTask);
    }

    private static async ValueTask DisposeEngineAsync(ISqlEngine engine)
    {
        if (engine is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else if (engine is IDisposable disposable)
            disposable.Dispose();
    }
}
