using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Auth;

/// <summary>
/// GET {host}/.well-known/databricks-config: the host metadata current SDKs read first, unauthenticated, to find
/// the OIDC root (then "{oidc_endpoint}/.well-known/oauth-authorization-server") and the workspace/account ids.
/// Not in the public REST reference; the shape is the SDKs' model of it:
/// databricks-sdk-py databricks/sdk/oauth.py HostMetadata (l. 444) and config.py _resolve_host_metadata (l. 631),
/// databricks-sdk-go config/host_metadata.go HostMetadata, and databricks/cli libs/testserver/server.go (l. 314-323),
/// which answers {oidc_endpoint: host + "/oidc", workspace_id} for a workspace.
/// </summary>
public static class HostMetadataEndpoints
{
    public const string Path = "/.well-known/databricks-config";

    /// <summary>
    /// oidc_endpoint is the OIDC root, not the discovery document. cloud and host_type are left out: the emulator is
    /// no cloud, and without host_type the SDKs classify the host by URL, which is "workspace" for this one.
    /// </summary>
    public sealed record HostMetadata(string OidcEndpoint, string AccountId, string WorkspaceId);

    public static void MapHostMetadataEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, (HttpContext context) =>
            Results.Json(new HostMetadata($"{context.Request.Scheme}://{context.Request.Host}/oidc", WorkspaceIdentity.AccountId, WorkspaceIdentity.WorkspaceId),
                EmulatorJson.Options));
}
