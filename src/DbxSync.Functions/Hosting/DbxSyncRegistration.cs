using DbxSync.Functions.Api.Auth;
using DbxSync.Functions.Health;

namespace DbxSync.Functions.Hosting;

public static class DbxSyncRegistration
{
    /// <summary>Everything the functions use: settings, API auth, health, Core's services and the adapters behind its ports.</summary>
    public static IServiceCollection AddDbxSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiAuthOptions>().Bind(configuration.GetSection(ApiAuthOptions.Section));
        services.AddOptions<StorageSettings>().Bind(configuration.GetSection(StorageSettings.Section));
        services.AddOptions<KeyVaultSettings>().Bind(configuration.GetSection(KeyVaultSettings.Section));
        services.AddSingleton(WorkspaceSettings.From(configuration));
        services.AddSingleton<ApiAuthenticator>();
        services.AddDependencyHealthChecks();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<StateInitializationService>();
        services.AddHostedService(sp => sp.GetRequiredService<StateInitializationService>());
        services.AddDbxSyncCore(configuration);
        services.AddDbxSyncAdapters(configuration);
        return services;
    }
}
