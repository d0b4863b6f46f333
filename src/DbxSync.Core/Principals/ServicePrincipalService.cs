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
        var input = PrincipalInput.Read(request);
        var url = ValidateUrl(request.WorkspaceUrl);
        if (request.WarehouseId is { } wh && !IsWarehouseId(wh))
            throw new ValidationException("warehouse_id must be letters and digits.", "warehouse_id");
        if (request.Name is { Length: > 256 })
            throw new ValidationException("name is longer than 256 characters.", "name");

        var id = Guid.NewGuid().ToString();
        try
        {
            await ProveAsync(input.Credentials(url, id), cancellationToken);
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
            AuthType = input.AuthType,
            ClientId = input.ClientId,
            TenantId = input.TenantId,
            AzureWorkspaceResourceId = input.AzureWorkspaceResourceId,
            SecretName = input.AuthType.HasSecret() ? SecretNameFor(id) : "",
            WarehouseId = request.WarehouseId,
            CreatedAt = now,
            UpdatedAt = now,
            ValidatedAt = now,
        };
        if (input.AuthType.HasSecret())
            await secrets.SetSecretAsync(principal.SecretName, input.Secret, cancellationToken);
        try
        {
            principal = await principals.InsertAsync(principal, cancellationToken);
        }
        catch
        {
            // No orphaned secret when the metadata could not be written, neither stored nor cached.
            connector.Release(id);
            if (input.AuthType.HasSecret())
                await secrets.DeleteSecretAsync(principal.SecretName, CancellationToken.None);
            throw;
        }
        logger.LogInformation("Registered service principal {PrincipalId} ({AuthType}) for {WorkspaceUrl}", id, input.AuthType.ToWire(), url);
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
        // Every user is named, so one refusal tells the caller all that must go first.
        var users = new List<string>();
        await foreach (var c in configs.ListAsync(cancellationToken))
            if (c.ServicePrincipalId == principal.Id)
                users.Add($"'{c.Name}' ({c.Id})");
        if (users.Count > 0)
            throw new ConflictException($"Service principal '{id}' is used by sync config{(users.Count == 1 ? "" : "s")} {string.Join(", ", users)}; delete or re-point {(users.Count == 1 ? "it" : "them")} first.", "service-principal-in-use");
        await principals.DeleteAsync(principal.Id, ifMatch ?? principal.ETag, cancellationToken);
        if (principal.AuthType.HasSecret())
            await secrets.DeleteSecretAsync(principal.SecretName, cancellationToken);
        connector.Release(principal.Id);
        logger.LogInformation("Deleted service principal {PrincipalId}", principal.Id);
    }

    /// <summary>Replaces the secret after proving the new one against the same workspace (the URL cannot change).</summary>
    public async Task<ServicePrincipal> RotateSecretAsync(string id, string? clientSecret, string? token, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var principal = await GetAsync(id, cancellationToken);
        ETagCheck.Require(principal.ETag, ifMatch);
        if (principal.AuthType == WorkspaceAuthType.ManagedIdentity)
            throw new ValidationException("A managed identity has no secret to rotate: the platform rotates its credentials.", "client_secret");
        var usesToken = principal.AuthType == WorkspaceAuthType.PersonalAccessToken;
        string secret = usesToken ? RequireNonEmpty(token, "token") : RequireNonEmpty(clientSecret, "client_secret");
        if (!usesToken && token is not null)
            throw new ValidationException($"This principal uses {principal.AuthType.ToWire()}: send client_secret, not token.", "token");
        if (usesToken && clientSecret is not null)
            throw new ValidationException("This principal uses a personal access token: send token, not client_secret.", "client_secret");

        // A fresh cache key so the old token is not reused to "prove" the new secret; released whatever the outcome.
        var proofKey = principal.Id + ":" + Guid.NewGuid().ToString("N");
        try
        {
            await ProveAsync(CredentialsOf(principal, secret, proofKey), cancellationToken);
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
        if (!principal.AuthType.HasSecret())
            return CredentialsOf(principal, "", principal.Id);
        var secret = await secrets.GetSecretAsync(principal.SecretName, cancellationToken)
            ?? throw new ConflictException($"The secret of service principal '{principal.Id}' is missing from the secret store; rotate it with PUT /api/databricks/service-principals/{principal.Id}/secret.", "secret-missing");
        return CredentialsOf(principal, secret, principal.Id);
    }

    private static WorkspaceCredentials CredentialsOf(ServicePrincipal principal, string secret, string cacheKey) =>
        new(principal.WorkspaceUrl, principal.AuthType, principal.ClientId, secret, cacheKey)
        {
            TenantId = principal.TenantId,
            AzureWorkspaceResourceId = principal.AzureWorkspaceResourceId,
        };

    public async Task<IDatabricksWorkspace> ConnectAsync(string principalId, CancellationToken cancellationToken = default)
        => await ConnectAsync(await GetAsync(principalId, cancellationToken), cancellationToken);

    /// <summary>For a caller that has just read the principal: saves reading it again.</summary>
    public async Task<IDatabricksWorkspace> ConnectAsync(ServicePrincipal principal, CancellationToken cancellationToken = default)
        => connector.Connect(await GetCredentialsAsync(principal, cancellationToken));

    public static string SecretNameFor(string principalId) => "dbxsync-sp-" + principalId;

    /// <summary>Signs in and calls the workspace; a refusal becomes a problem that names its cause (CredentialRefusal).</summary>
    private async Task ProveAsync(WorkspaceCredentials credentials, CancellationToken cancellationToken)
    {
        try
        {
            await connector.Connect(credentials).VerifyCredentialsAsync(cancellationToken);
        }
        catch (WorkspaceException ex) when (CredentialRefusal.Explain(ex, credentials) is { } refusal)
        {
            throw refusal;
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

    internal static string RequireNonEmpty(string? value, string field)
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
