using DbxSync.EntraStandIn;

namespace DbxSync.Testing;

/// <summary>
/// One local Entra ID stand-in shared by every test in the process, with the workspace's tenant, a system-assigned
/// identity (what IDENTITY_ENDPOINT answers for the app) and one user-assigned identity. The in-process emulator
/// accepts its tokens; each test registers the Entra applications it needs.
/// </summary>
public sealed class EntraStandInInstance
{
    /// <summary>The tenant the emulated Azure Databricks workspace belongs to.</summary>
    public const string WorkspaceTenantId = "3f1d6c2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f";

    private static readonly Lazy<Task<EntraStandInInstance>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private EntraStandInInstance(EntraStandInServer server, string certificatePath)
    {
        Server = server;
        CertificatePath = certificatePath;
    }

    public EntraStandInServer Server { get; }

    /// <summary>The stand-in's certificate as a PEM file, for the app's DbxSync:Entra:TrustedCertificatePath.</summary>
    public string CertificatePath { get; }

    public ManagedIdentity SystemAssigned => Server.SystemAssignedIdentity!;
    public ManagedIdentity UserAssigned => Server.State.UserAssigned[0];

    public static Task<EntraStandInInstance> GetAsync() => Shared.Value;

    private static async Task<EntraStandInInstance> StartAsync()
    {
        var certificatePath = Path.Combine(Path.GetTempPath(), $"dbxsync-test-entra-{Environment.ProcessId}-{Guid.NewGuid():N}.pem");
        var server = await EntraStandInServer.StartAsync(new EntraStandInOptions
        {
            Port = 0,
            SystemAssignedIdentity = new ManagedIdentity(WorkspaceTenantId, Guid.NewGuid().ToString(), Guid.NewGuid().ToString()),
            UserAssignedIdentities = [new ManagedIdentity(WorkspaceTenantId, Guid.NewGuid().ToString(), Guid.NewGuid().ToString())],
            CertificateOutputPath = certificatePath,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            File.Delete(certificatePath);
        };
        return new EntraStandInInstance(server, certificatePath);
    }
}
