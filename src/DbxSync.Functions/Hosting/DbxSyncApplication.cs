using System.Net;
using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Api.Configs;
using DbxSync.Functions.Api.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Api.Principals;
using DbxSync.Functions.Api.Problems;
using DbxSync.Functions.Api.Runs;
using DbxSync.Functions.Health;
using DbxSync.Functions.Invocations;

namespace DbxSync.Functions.Hosting;

/// <summary>Builds the one executable for both hosting modes; tests build it the same way with their own configuration.</summary>
public static class DbxSyncApplication
{
    public const string Usage = """
        DbxSync.Functions
          (started by the Azure Functions host: FUNCTIONS_CUSTOMHANDLER_PORT is set)
          serve [--port 7071]   run standalone on 127.0.0.1 with its own timer
        """;

    /// <summary>Null when no hosting mode applies (no host port, no `serve`).</summary>
    public static WebApplication? Build(string[] args, Action<IConfigurationBuilder>? configureConfiguration = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The host starts us with the app root as working directory; our appsettings sit beside the binary.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configureConfiguration?.Invoke(builder.Configuration);
        var mode = HostingMode.Resolve(args, builder.Configuration);
        if (mode is null) return null;

        // Loopback only, whatever ASPNETCORE_URLS the host's environment carries.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, mode.Port);
            kestrel.Limits.MaxRequestBodySize = RequestBodyLimits.InvocationLimit;
            kestrel.AddServerHeader = false;
        });

        // ASP.NET's own request lines carry the query string, and the host forwards the function key as ?code=.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        builder.Services.AddSingleton(mode);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddOptions<ApiAuthOptions>().Bind(builder.Configuration.GetSection(ApiAuthOptions.Section));
        builder.Services.AddOptions<SchedulerSettings>().Bind(builder.Configuration.GetSection(SchedulerSettings.Section));
        builder.Services.AddSingleton(WorkspaceSettings.From(builder.Configuration));
        builder.Services.AddSingleton<ApiAuthenticator>();
        builder.Services.AddDependencyHealthChecks();
        builder.Services.AddSingleton<StateInitializationService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StateInitializationService>());

        builder.Services.AddDbxSyncCore(builder.Configuration);
        builder.Services.AddDbxSyncAdapters(builder.Configuration);
        if (mode.IsStandalone) builder.Services.AddStandaloneTriggers(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<RequestLogging>();
        app.UseMiddleware<RequestBodyLimits>();
        app.UseStatusCodeProblems();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseMiddleware<ApiAuthMiddleware>();
        app.UseRouting();
        MapEndpoints(app);
        return app;
    }

    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        // The host's readiness probe: any answer means "listening".
        app.MapGet("/", () => Results.Json(new { service = "DbxSync" })).ExcludeFromDescription();
        app.MapInvocationEndpoints();
        app.MapHealthEndpoints();
        app.MapOpenApiEndpoints();
        app.MapServicePrincipalEndpoints();
        app.MapSyncConfigEndpoints();
        app.MapSyncRunEndpoints();
    }
}
