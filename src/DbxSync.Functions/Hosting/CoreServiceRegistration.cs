using DbxSync.Core.Configs;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.Annotations;
using DbxSync.Core.Syncs.Datasets;
using DbxSync.Core.Syncs.LabeledImport;
using DbxSync.Core.Syncs.TableExport;
using DbxSync.Core.Syncs.Volumes;

namespace DbxSync.Functions.Hosting;

public static class CoreServiceRegistration
{
    /// <summary>Core's application services. Ports (IStateStore, ISecretStore, ISyncLock, IDatabricksConnector...) come from AddDbxSyncAdapters.</summary>
    public static IServiceCollection AddDbxSyncCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<ServicePrincipalRepository>();
        services.AddSingleton<SyncConfigRepository>();
        services.AddSingleton<SyncStateRepository>();
        services.AddSingleton<SyncRunRepository>();
        services.AddSingleton<DueScheduleRepository>();
        services.AddSingleton<LastRunSummaryStore>();
        services.AddSingleton<SyncConfigListing>();

        services.AddSingleton<ServicePrincipalService>();
        services.AddSingleton<SyncConfigService>();

        services.AddSingleton<SyncScheduler>();
        services.AddSingleton<ManualRuns>();
        services.AddSingleton<BlobDropDispatcher>();

        services.AddSingleton(new SyncRunnerOptions { MaxRunDuration = RunSettings.RunTimeLimit(configuration) });
        services.AddSingleton(new ErrorBackoffOptions());
        services.AddSingleton(RunSettings.RunQueueDeliveries());
        services.AddSingleton<RunAftermath>();
        services.AddSingleton<ISyncRunner, SyncRunner>();

        services.AddSingleton(RunSettings.LabeledImports(configuration));
        services.AddSingleton(new VolumeSyncOptions());
        services.AddSingleton(RunSettings.ExportParts(configuration));
        services.AddSingleton<ExportProgressRepository>();
        services.AddSingleton<ExportPartWriter>();
        services.AddSingleton<ISync, TableExportSync>();
        services.AddSingleton<ISync, LabeledImportSync>();
        services.AddSingleton<ImportErrorReports>();
        services.AddSingleton<WarehouseResolver>();
        services.AddSingleton<ExportLagService>();
        services.AddSingleton<GrantService>();
        services.AddSingleton<ISync, VolumeForwardSync>();
        services.AddSingleton<ISync, VolumeReverseSync>();
        services.AddSingleton(new AnnotationImportOptions());
        services.AddSingleton<ISync, AnnotationsImportSync>();
        services.AddSingleton<TablePreviewService>();
        return services;
    }
}
