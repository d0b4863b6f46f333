using DbxSync.Emulator.Entra;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator;

/// <summary>Everything an emulator instance needs to start. Defaults suit local runs; tests shorten the timings.</summary>
public sealed class EmulatorOptions
{
    /// <summary>0 picks a free port; the emulator only ever binds 127.0.0.1.</summary>
    public int Port { get; set; }

    /// <summary>Holds the engine's data plus the emulator's own result spool (under .emulator/).</summary>
    public string DataDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "dbxsync-emulator");

    /// <summary>
    /// Builds the real engine when StartAsync receives none. Stays null until the SQL engine branch is merged.
    /// </summary>
    public Func<string, ISqlEngine>? EngineFactory { get; set; } = dataDirectory => new SqliteDeltaEngine(dataDirectory);

    public List<ServicePrincipalOptions> ServicePrincipals { get; set; } = [];
    public List<PersonalAccessTokenOptions> PersonalAccessTokens { get; set; } = [];
    public WarehouseOptions Warehouse { get; set; } = new();

    /// <summary>Written with the provisioned credentials so scripts (./dbxsync up) can pick them up; never printed.</summary>
    public string? CredentialsOutputPath { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public int ChunkRowCount { get; set; } = 10_000;
    public long ChunkByteLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>Databricks fails INLINE results above 25 MiB rather than returning partial data.</summary>
    public long InlineResultByteLimit { get; set; } = 25L * 1024 * 1024;

    public TimeSpan ExternalLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>After this a SUCCEEDED statement reports CLOSED and its spooled chunks are deleted.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After this a finished statement is forgotten and answers 404.</summary>
    public TimeSpan StatementRetention { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Required as X-Emulator-Admin-Token on /emulator/* when set; otherwise those routes are loopback-only.</summary>
    public string? AdminToken { get; set; }

    public FaultOptions Faults { get; set; } = new();

    /// <summary>Microsoft Entra ID tokens, as an Azure Databricks workspace accepts them (off until Authority is set).</summary>
    public EntraOptions Entra { get; set; } = new();

    /// <summary>How long in-flight requests may run on after a stop is requested (SIGTERM, Ctrl+C, dispose).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Request logging is off for tests; Program turns it on. Tokens and link signatures are never logged either way.</summary>
    public bool ConsoleLogging { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

public sealed class ServicePrincipalOptions
{
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public string DisplayName { get; set; } = "dbxsync-emulator-sp";
}

public sealed class PersonalAccessTokenOptions
{
    public string Token { get; set; } = "";
    public string UserName { get; set; } = "emulator-user@example.com";

    /// <summary>Null means the PAT never expires.</summary>
    public TimeSpan? Lifetime { get; set; }
}

public sealed class WarehouseOptions
{
    /// <summary>16 hex characters like a real warehouse id; generated when empty.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "Emulator Serverless Warehouse";
}

/// <summary>Initial fault settings; FaultInjector holds the live, runtime-tunable copy.</summary>
public sealed class FaultOptions
{
    public double ThrottleRate { get; set; }
    public double UnavailableRate { get; set; }
    public int RetryAfterSeconds { get; set; } = 1;
    public List<string> PathPrefixes { get; set; } = ["/api/"];
    public TimeSpan StatementDelay { get; set; } = TimeSpan.Zero;
    /// <summary>A statement's result chunks are served one per this interval (see <see cref="Faults.FaultInjector.ChunkDelay"/>).</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;
    public TimeSpan? TokenLifetimeOverride { get; set; }
    public int? Seed { get; set; }
}
