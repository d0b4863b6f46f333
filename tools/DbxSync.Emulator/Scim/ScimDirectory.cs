using System.Collections.Concurrent;
using System.Security.Cryptography;
using DbxSync.Emulator.Provisioning;

namespace DbxSync.Emulator.Scim;

/// <summary>A workspace identity as SCIM shows it. ApplicationId is null for users; UserName is null for service principals.</summary>
public sealed record ScimIdentity(
    string Id, string? UserName, string? ApplicationId, string DisplayName, bool Active, IReadOnlyList<string> Entitlements, bool IsAdmin)
{
    public bool IsServicePrincipal => ApplicationId is not null;

    /// <summary>What Me and table history call the identity: a user's name, a service principal's application id.</summary>
    public string Name => UserName ?? ApplicationId!;
}

/// <summary>
/// The workspace's users and service principals. Seeded with the provisioned PAT users and Databricks-managed service
/// principals (workspace admins, with workspace-access and databricks-sql-access, as a workspace creator has); Entra
/// principals are added through SCIM by application id. In memory: a restart forgets principals added at run time.
/// </summary>
public sealed class ScimDirectory
{
    public const string WorkspaceAccess = "workspace-access";
    public const string SqlAccess = "databricks-sql-access";

    /// <summary>The entitlement values the Databricks SCIM API accepts (SCIM API reference, "entitlements").</summary>
    public static readonly IReadOnlySet<string> KnownEntitlements = new HashSet<string>(StringComparer.Ordinal)
        { WorkspaceAccess, SqlAccess, "allow-cluster-create", "allow-instance-pool-create" };

    private readonly ConcurrentDictionary<string, ScimIdentity> _byId = new(StringComparer.Ordinal);
    private readonly object _writeGate = new();

    public ScimDirectory(EmulatorCredentials credentials)
    {
        foreach (var user in credentials.PersonalAccessTokens.Select(p => p.UserName).Distinct(StringComparer.OrdinalIgnoreCase))
            Add(new ScimIdentity(NewId(), user, null, user, true, [WorkspaceAccess, SqlAccess], IsAdmin: true));
        foreach (var sp in credentials.ServicePrincipals)
            Add(new ScimIdentity(NewId(), null, sp.ClientId, sp.DisplayName, true, [WorkspaceAccess, SqlAccess], IsAdmin: true));
    }

    public ScimIdentity? Get(string id) => _byId.TryGetValue(id, out var identity) ? identity : null;

    public ScimIdentity? FindUser(string userName) =>
        _byId.Values.FirstOrDefault(i => !i.IsServicePrincipal && string.Equals(i.UserName, userName, StringComparison.OrdinalIgnoreCase));

    public ScimIdentity? FindServicePrincipal(string applicationId) =>
        _byId.Values.FirstOrDefault(i => string.Equals(i.ApplicationId, applicationId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Service principals in creation order (ids are random, so the order is kept separately).</summary>
    public IReadOnlyList<ScimIdentity> ServicePrincipals()
    {
        lock (_writeGate) return _order.Select(id => _byId[id]).Where(i => i.IsServicePrincipal).ToList();
    }

    private readonly List<string> _order = [];

    /// <summary>Null when a service principal with this application id exists already.</summary>
    public ScimIdentity? TryAddServicePrincipal(string applicationId, string displayName, bool active, IReadOnlyList<string> entitlements, bool isAdmin = false)
    {
        lock (_writeGate)
        {
            if (FindServicePrincipal(applicationId) is not null)
                return null;
            var identity = new ScimIdentity(NewId(), null, applicationId, displayName, active, entitlements, isAdmin);
            Add(identity);
            return identity;
        }
    }

    public bool Remove(string id)
    {
        lock (_writeGate)
        {
            _order.Remove(id);
            return _byId.TryRemove(id, out _);
        }
    }

    private void Add(ScimIdentity identity)
    {
        lock (_writeGate)
        {
            _byId[identity.Id] = identity;
            _order.Add(identity.Id);
        }
    }

    /// <summary>Databricks SCIM ids are numeric strings of up to 16 digits.</summary>
    private static string NewId() => (RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue) * 1_000_000L + RandomNumberGenerator.GetInt32(0, 1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
