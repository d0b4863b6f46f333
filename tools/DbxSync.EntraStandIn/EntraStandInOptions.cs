namespace DbxSync.EntraStandIn;

/// <summary>How the local Entra ID stand-in starts. Development and tests only: secrets in memory, a self-signed certificate.</summary>
public sealed class EntraStandInOptions
{
    /// <summary>0 picks a free port. HTTPS only: MSAL refuses an authority that is not https.</summary>
    public int Port { get; set; }

    /// <summary>Loopback, so the stand-in is never reachable from the network.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>App registrations (client credentials) known from the start; more can be added at run time.</summary>
    public List<AppRegistration> Applications { get; set; } = [];

    /// <summary>The app's system-assigned identity (what IDENTITY_ENDPOINT answers without client_id); null means none.</summary>
    public ManagedIdentity? SystemAssignedIdentity { get; set; }

    public List<ManagedIdentity> UserAssignedIdentities { get; set; } = [];

    /// <summary>The X-IDENTITY-HEADER value the managed-identity endpoint requires (IDENTITY_HEADER); random when empty.</summary>
    public string IdentityHeader { get; set; } = "";

    /// <summary>Entra access tokens live 60-90 minutes; one hour keeps tests predictable.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where to write the TLS certificate (public part, PEM) so clients can trust exactly it.</summary>
    public string? CertificateOutputPath { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>An Entra application with a client secret, homed in one tenant.</summary>
public sealed record AppRegistration(string TenantId, string ClientId, string ClientSecret, string DisplayName);

/// <summary>A managed identity: its client id is the application id Databricks knows it by; PrincipalId is its object id.</summary>
public sealed record ManagedIdentity(string TenantId, string ClientId, string PrincipalId);
