using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Health;
using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Hosting;

public static class DbxSyncRegistration
{
    /// <summary>Everything the functions use: settings, API auth, health, Core's services and the adapters behind its ports.</summary>
    public static IServiceCollection AddDbxSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiAuthOptions>().Bind(configuration.GetSection(ApiAuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiAuthOptions>, ApiAuthOptionsValidation>();
        services.AddSingleton(WorkspaceSettings.From(configuration));
        services.AddSingleton<ApiAuthenticator>();
        services.AddSingleton<WebConsole.ConsoleAssets>();
        services.AddDependencyHealthChecks();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<StateInitializationService>();
        services.AddHostedService(sp => sp.GetRequiredService<StateInitializationService>());
        services.AddHostedService<HostProcessWatchdog>();
        services.AddDbxSyncCore(configuration);
        services.AddDbxSyncAdapters(configuration);
        return services;
    }
}
