using DbxSync.Databricks.Auth;
using DbxSync.Databricks.Catalog;
using DbxSync.Databricks.Files;
using DbxSync.Databricks.Http;
using DbxSync.Databricks.Iam;
using DbxSync.Databricks.Sql;

namespace DbxSync.Databricks;

/// <summary>Every Databricks service client for one workspace, sharing its token provider and the connection pool.</summary>
public sealed class DatabricksWorkspaceClient
{
    private readonly TokenProvider _tokens;

    /// <param name="workspaceBaseUri">Must come from WorkspaceUrlValidator: this is where the token is sent.</param>
    public DatabricksWorkspaceClient(Uri workspaceBaseUri, TokenProvider tokens, DatabricksTransport transport)
    {
        WorkspaceUri = workspaceBaseUri;
        _tokens = tokens;
        var http = new WorkspaceHttp(workspaceBaseUri, transport.Authenticated(tokens));
        Statements = new SqlStatementClient(http, transport.Anonymous, transport.Options);
        Files = new FilesClient(http, transport.Anonymous, transport.Options);
        UnityCatalog = new UnityCatalogClient(http, transport.Options);
        Warehouses = new WarehousesClient(http);
        CurrentUser = new CurrentUserClient(http);
    }

    public Uri WorkspaceUri { get; }
    public SqlStatementClient Statements { get; }
    public FilesClient Files { get; }
    public UnityCatalogClient UnityCatalog { get; }
    public WarehousesClient Warehouses { get; }
    public CurrentUserClient CurrentUser { get; }

    /// <summary>
    /// Proves the credentials: Databricks OAuth fetches a token from the workspace itself. A PAT has nothing to fetch
    /// and an Entra token says nothing about the workspace, so authenticated calls stand in: for Entra, SCIM Me (the
    /// workspace knows the principal: tenant, audience, membership), then for both the first page of warehouses
    /// (the SQL entitlement).
    /// </summary>
    public async Task VerifyCredentialsAsync(CancellationToken cancellationToken = default)
    {
        await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        if (_tokens.IssuedByWorkspace) return;
        if (_tokens.CanRefresh)
            await CurrentUser.GetAsync(cancellationToken).ConfigureAwait(false);
        await using var e = Warehouses.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await e.MoveNextAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"DatabricksWorkspaceClient({WorkspaceUri.Authority})";
}
