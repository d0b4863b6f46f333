namespace DbxSync.Functions.Hosting;

// Bound from configuration. Storage and Key Vault settings live with their adapters (DbxSync.Azure).

public sealed class WorkspaceSettings
{
    /// <summary>Origins (scheme://host[:port]) accepted besides real Databricks hosts; from DBXSYNC_ALLOWED_WORKSPACE_HOSTS.</summary>
    public IReadOnlyList<string> AllowedWorkspaceHosts { get; set; } = [];

    /// <summary>Entra authority for entra_client_secret principals; null is Azure.Identity's default (the public cloud).</summary>
    public Uri? EntraAuthorityHost { get; set; }

    /// <summary>Local Entra stand-in only: the PEM of its self-signed certificate.</summary>
    public string? EntraTrustedCertificatePath { get; set; }

    public static WorkspaceSettings From(IConfiguration configuration) => new()
    {
        AllowedWorkspaceHosts = (configuration[SettingNames.AllowedWorkspaceHosts] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        EntraAuthorityHost = configuration[SettingNames.EntraAuthorityHost] is { Length: > 0 } authority ? new Uri(authority) : null,
        EntraTrustedCertificatePath = configuration[SettingNames.EntraTrustedCertificatePath] is { Length: > 0 } path ? path : null,
    };
}
