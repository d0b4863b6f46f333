namespace DbxSync.Core.State;

/// <summary>Names of the Table Storage tables DbxSync keeps its state in.</summary>
public static class StateTables
{
    public const string ServicePrincipals = "ServicePrincipals";
    public const string SyncConfigs = "SyncConfigs";
    public const string SyncState = "SyncState";
    public const string SyncRuns = "SyncRuns";

    public static readonly string[] All = [ServicePrincipals, SyncConfigs, SyncState, SyncRuns];
}
