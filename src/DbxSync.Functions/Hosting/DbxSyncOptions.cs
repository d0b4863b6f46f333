namespace DbxSync.Functions.Hosting;

// Bound from configuration. Storage and Key Vault settings live with their adapters (DbxSync.Azure).

public sealed class SchedulerSettings
{
    public const string Section = "DbxSync:Scheduler";
    public int TickSeconds { get; set; } = 30;
    public int MaxParallelRuns { get; set; } = 16;
}

public sealed class WorkspaceSettings
{
    /// <summary>Origins (scheme://host[:port]) accepted besides real Databricks hosts; from DBXSYNC_ALLOWED_WORKSPACE_HOSTS.</summary>
    public IReadOnlyList<string> AllowedWorkspaceHosts { get; set; } = [];

    public static WorkspaceSettings From(IConfiguration configuration) => new()
    {
        AllowedWorkspaceHosts = (configuration[SettingNames.AllowedWorkspaceHosts] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };
}
