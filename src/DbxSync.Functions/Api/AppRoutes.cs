namespace DbxSync.Functions.Api;

/// <summary>
/// The app's one route table: every HTTP function names its route here, written in full (host.json has
/// <c>routePrefix: ""</c>, so the console can live at <c>/</c>); the API's routes all start with <c>api/</c>.
/// The OpenAPI document, the fallback's 405 answers and the per-mode auth tests read the same routes back from the
/// functions' triggers (<see cref="OpenApi.HttpFunctionRoute"/>), so nothing else spells a path.
/// </summary>
public static class AppRoutes
{
    // The web console (anonymous: its files hold no data, and the page must load before anyone can sign in).
    /// <summary>Only the site root: a catch-all would also take unknown paths, which are the fallback's.</summary>
    public const string ConsoleIndex = "{root:maxlength(0)?}";
    public const string ConsoleAsset = "assets/{version}/{file}";
    /// <summary>Where the console lived before it moved to <c>/</c>; redirected so old links keep working.</summary>
    public const string LegacyConsole = "api/console/{*path}";
    /// <summary>Everything no other route takes (lowest precedence): a 404 or 405 problem.</summary>
    public const string Fallback = "{*path}";

    public const string Health = "api/health";
    public const string Access = "api/me";
    public const string OpenApi = "api/openapi.json";

    public const string Principals = "api/databricks/service-principals";
    public const string Principal = Principals + "/{id}";
    public const string PrincipalSecret = Principal + "/secret";
    public const string Catalogs = Principal + "/catalogs";
    public const string Schemas = Catalogs + "/{catalog}/schemas";
    public const string Tables = Schemas + "/{schema}/tables";
    public const string Table = Tables + "/{table}";
    public const string Volumes = Schemas + "/{schema}/volumes";

    public const string SyncConfigs = "api/databricks/sync-configs";
    public const string SyncConfig = SyncConfigs + "/{id}";
    public const string PauseSyncConfig = SyncConfig + "/pause";
    public const string ResumeSyncConfig = SyncConfig + "/resume";
    public const string ExportLag = SyncConfig + "/export-lag";
    public const string SyncConfigGrants = SyncConfig + "/grants";
    public const string TablePreview = SyncConfig + "/preview";
    public const string RunSyncConfig = SyncConfig + "/run";
    public const string SyncRuns = SyncConfig + "/runs";
    public const string SyncRun = SyncRuns + "/{run_id}";
    public const string SyncRunErrors = SyncRun + "/errors";

    /// <summary>The site-relative URL of a route with its {parameters} filled in (escaped), for Location headers and links.</summary>
    public static string Url(string route, params (string Name, string Value)[] values)
    {
        var url = "/" + route;
        foreach (var (name, value) in values)
            url = url.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        return url;
    }
}
