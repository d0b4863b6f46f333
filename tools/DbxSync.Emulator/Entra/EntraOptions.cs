using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace DbxSync.Emulator.Entra;

/// <summary>How the emulator plays an Azure Databricks workspace for Microsoft Entra ID tokens.</summary>
public sealed class EntraOptions
{
    /// <summary>The Azure Databricks first-party application id: the audience of every Entra token it accepts (all clouds).</summary>
    public const string AzureDatabricksApplicationId = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

    /// <summary>The audience of the management token (ARM) sent in X-Databricks-Azure-SP-Management-Token.</summary>
    public const string ManagementAudience = "https://management.core.windows.net/";

    /// <summary>The workspace's tenant: tokens must be issued by https://sts.windows.net/{TenantId}/.</summary>
    public string TenantId { get; set; } = "9f3c2b1a-4d5e-4f60-8a7b-0c1d2e3f4a5b";

    /// <summary>The Entra authority (the stand-in's https root). Null: Entra tokens are not accepted at all.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The authority's self-signed TLS certificate, trusted by thumbprint when its keys are fetched.</summary>
    public X509Certificate2? AuthorityCertificate { get; set; }

    /// <summary>The workspace's Azure resource id, compared with X-Databricks-Azure-Workspace-Resource-Id.</summary>
    public string WorkspaceResourceId { get; set; } =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dbxsync-local/providers/Microsoft.Databricks/workspaces/emulator";

    /// <summary>Application ids holding Contributor (or Owner) on the workspace resource; tests and scripts add to it.</summary>
    public ConcurrentDictionary<string, bool> Contributors { get; } = new(StringComparer.OrdinalIgnoreCase);
}
