using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Principals;

/// <summary>Registers, rotates and removes Databricks principals. Credentials are proven before anything is stored.</summary>
public sealed class ServicePrincipalService(
    ServicePrincipalRepository principals,
    SyncConfigRepository configs,
    ISecretStore secrets,
    IDatabricksConnector connector,
    TimeProvider time,
    ILogger<ServicePrincipalService> logger)
{
    public async Task<ServicePrincipal> RegisterAsync(RegisterPrincipalRequest request, CancellationToken cancellationToken = default)
    {
        var (authType, clientId, secret) = ReadCredentials(request.ClientId, request.ClientSecret, request.Token);
        var url = ValidateUrl(request.WorkspaceUrl);
        if (request.WarehouseId is { } wh && !IsWarehouseId(wh))
            throw new ValidationException("warehouse_id must be letters and digits.", "warehouse_id");
        if (request.Name is { Length: > 256 })
            throw new ValidationException("name is longer than 256 characters.", "name");

        var id = Guid.NewGuid().ToString();
        try
        {
            await ProveAsync(new WorkspaceCredentials(url, authType, clientId, secret, id), cancellationToken);
        }
        catch
        {
            // Refused or unreachable: nothing is registered, so nothing may keep the secret.
            connector.Release(id);
            throw;
        }

        var now = time.GetUtcNow();
        var principal = new ServicePrincipal
        {
            Id = id,
            Name = request.Name,
            WorkspaceUrl = url,
            AuthType = authType,
            ClientId = clientId,
            SecretName = SecretNameFor(id),
            WarehouseId = request.WarehouseId,
            CreatedAt = now,
            UpdatedAt = now,
            ValidatedAt = now,
        };
        await secrets.SetSecretAsync(principal.SecretName, secret, cancellationToken);
        try
        {
            principal = await principals.InsertAsync(principal, cancellationToken);
        }
        catch
        {
            // No orphaned secret when the metadata could not be written, neither stored nor cached.
            connector.Release(id);
            await secrets.DeleteSecretAsync(principal.SecretName, CancellationToken.None);
            throw;
        }
        logger.LogInformation("Registered service principal {PrincipalId} ({AuthType}) for {WorkspaceUrl}", id, authType, url);
        return principal;
    }

    public async Task<ServicePrincipal> GetAsync(string id, CancellationToken cancellationToken = default)
        => await principals.GetAsync(CheckId(id), cancellationToken)
           ?? throw new NotFoundException($"Service principal '{id}' does not exist.", "service-principal-not-found");

    public async Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<ServicePrincipal>();
        await foreach (var p in principals.ListAsync(cancellationToken)) list.Add(p);
        return list.OrderBy(p => p.CreatedAt).ToList();
    }

    public async Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var principal = await GetAsync(id, cancellationToken);
        ETagCheck.Require(principal.ETag, ifMatch);
        await foreach (var c in configs.ListAsync(cancellationToken))
            if (c.ServicePrincipalId == principal.Id)
                throw new ConflictException($"Service principal '{id}' is used by sync config '{c.Id}' ({c.Name}); delete or re-point the config first.", "service-principal-in-use");
        await principals.DeleteAsync(principal.Id, ifMatch ?? principal.ETag, cancellationToken);
        await secrets.DeleteSecretAsync(principal.SecretName, cancellationToken);
        connector.Release(principal.Id);
        logger.LogInformation("Deleted service principal {PrincipalId}", principal.Id);
    }

    /// <summary>Replaces the secret after proving the new one against the same workspace (the URL cannot change).</summary>
    public async Task<ServicePrincipal> RotateSecretAsync(string id, string? clientSecret, string? token, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var principal = await GetAsync(id, cancellationToken);
        ETagCheck.Require(principal.ETag, ifMatch);
        string secret = principal.AuthType == WorkspaceAuthType.OAuthM2M
            ? RequireNonEmpty(clientSecret, "client_secret")
            : RequireNonEmpty(token, "token");
        if (principal.AuthType == WorkspaceAuthType.OAuthM2M && token is not null)
            throw new ValidationException("This principal uses OAuth: send client_secret, not token.", "token");
        if (principal.AuthType == WorkspaceAuthType.PersonalAccessToken && clientSecret is not null)
            throw new ValidationException("This principal uses a personal access token: send token, not client_secret.", "client_secret");

        // A fresh cache key so the old token is not reused to "prove" the new secret; released whatever the outcome.
        var proofKey = principal.Id + ":" + Guid.NewGuid().ToString("N");
        try
        {
            await ProveAsync(new WorkspaceCredentials(principal.WorkspaceUrl, principal.AuthType, principal.ClientId, secret, proofKey), cancellationToken);
        }
        finally
        {
            connector.Release(proofKey);
        }
        await secrets.SetSecretAsync(principal.SecretName, secret, cancellationToken);
        // The old secret's provider goes now, not at the next connect.
        connector.Release(principal.Id);
        var now = time.GetUtcNow();
        var updated = await principals.ReplaceAsync(principal with { UpdatedAt = now, ValidatedAt = now }, cancellationToken);
        logger.LogInformation("Rotated the secret of service principal {PrincipalId}", principal.Id);
        return updated;
    }

    /// <summary>Credentials for a stored principal, secret read from the store.</summary>
    public async Task<WorkspaceCredentials> GetCredentialsAsync(ServicePrincipal principal, CancellationToken cancellationToken = default)
    {
        var secret = await secrets.GetSecretAsync(principal.SecretName, cancellationToken)
            ?? throw new ConflictException($"The secret of service principal '{principal.Id}' is missing from the secret store; rotate it with PUT /api/databricks/service-principals/{principal.Id}/secret.", "secret-missing");
        return new WorkspaceCredentials(principal.WorkspaceUrl, principal.AuthType, principal.ClientId, secret, principal.Id);
    }

    public async Task<IDatabricksWorkspace> ConnectAsync(string principalId, CancellationToken cancellationToken = default)
        => await ConnectAsync(await GetAsync(principalId, cancellationToken), cancellationToken);

    /// <summary>For a caller that has just read the principal: saves reading it again.</summary>
    public async Task<IDatabricksWorkspace> ConnectAsync(ServicePrincipal principal, CancellationToken cancellationToken = default)
        => connector.Connect(await GetCredentialsAsync(principal, cancellationToken));

    public static string SecretNameFor(string principalId) => "dbxsync-sp-" + principalId;

    private async Task ProveAsync(WorkspaceCredentials credentials, CancellationToken cancellationToken)
    {
        try
        {
            await connector.Connect(credentials).VerifyCredentialsAsync(cancellationToken);
        }
        catch (WorkspaceException ex) when (ex.Kind is WorkspaceErrorKind.InvalidCredentials or WorkspaceErrorKind.PermissionDenied)
        {
            throw new ValidationException(
                credentials.AuthType == WorkspaceAuthType.OAuthM2M
                    ? $"The workspace refused the credentials of client '{credentials.ClientId}': check client_id and client_secret."
                    : "The workspace refused the personal access token.",
                credentials.AuthType == WorkspaceAuthType.OAuthM2M ? "client_secret" : "token",
                "invalid-credentials");
        }
    }

    private string ValidateUrl(string? workspaceUrl)
    {
        if (string.IsNullOrWhiteSpace(workspaceUrl))
            throw new ValidationException("workspace_url is required.", "workspace_url");
        try
        {
            return connector.ValidateWorkspaceUrl(workspaceUrl).ToString().TrimEnd('/');
        }
        catch (WorkspaceException ex) when (ex.Kind == WorkspaceErrorKind.InvalidWorkspaceUrl)
        {
            throw new ValidationException(ex.Message, "workspace_url", "invalid-workspace-url");
        }
    }

    private static (WorkspaceAuthType, string?, string) ReadCredentials(string? clientId, string? clientSecret, string? token)
    {
        if (token is not null && (clientId is not null || clientSecret is not null))
            throw new ValidationException("Send either client_id and client_secret (OAuth M2M) or token (personal access token), not both.", "token");
        if (token is not null)
            return (WorkspaceAuthType.PersonalAccessToken, null, RequireNonEmpty(token, "token"));
        var id = RequireNonEmpty(clientId, "client_id");
        if (id.Length > 256 || id.Any(char.IsControl))
            throw new ValidationException("client_id is not a valid application id.", "client_id");
        return (WorkspaceAuthType.OAuthM2M, id, RequireNonEmpty(clientSecret, "client_secret"));
    }

    private static string RequireNonEmpty(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ValidationException($"{field} is required.", field);
        if (value.Length > 4096) throw new ValidationException($"{field} is too long.", field);
        return value;
    }

    private static bool IsWarehouseId(string s) => s.Length is > 0 and <= 64 && s.All(char.IsAsciiLetterOrDigit);

    private static string CheckId(string id) => Guid.TryParse(id, out _)
        ? id
        : throw new NotFoundException($"Service principal '{id}' does not exist.", "service-principal-not-found");
}
