using System.Text.Json;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator;

/// <summary>
/// emulator.json: provisioned principals, warehouse and defaults in snake_case; command-line flags override it.
/// </summary>
public sealed class EmulatorConfigFile
{
    public int? Port { get; set; }
    public string? DataDir { get; set; }
    public string? CredentialsOut { get; set; }
    public string? AdminToken { get; set; }
    public int? TokenLifetimeSeconds { get; set; }
    public int? ChunkRows { get; set; }
    public long? ChunkBytes { get; set; }
    public int? ExternalLinkLifetimeSeconds { get; set; }
    public int? ResultRetentionSeconds { get; set; }
    public int? StatementRetentionSeconds { get; set; }
    public List<ServicePrincipalEntry>? ServicePrincipals { get; set; }
    public List<PersonalAccessTokenEntry>? PersonalAccessTokens { get; set; }
    public WarehouseEntry? Warehouse { get; set; }
    public FaultEntry? Faults { get; set; }

    public sealed record ServicePrincipalEntry(string? ClientId, string? ClientSecret, string? DisplayName);
    public sealed record PersonalAccessTokenEntry(string? Token, string? UserName, int? LifetimeSeconds);
    public sealed record WarehouseEntry(string? Id, string? Name);
    public sealed record FaultEntry(
        double? ThrottleRate, double? UnavailableRate, int? RetryAfterSeconds, List<string>? PathPrefixes,
        int? StatementDelayMs, int? TokenLifetimeSeconds, int? Seed, int? ChunkDelayMs = null);

    public static EmulatorConfigFile Load(string path) =>
        JsonSerializer.Deserialize<EmulatorConfigFile>(File.ReadAllText(path), EmulatorJson.Options)
        ?? throw new InvalidDataException($"Config file {path} is empty.");

    public void ApplyTo(EmulatorOptions options)
    {
        if (Port is { } port) options.Port = port;
        if (DataDir is { } dataDir) options.DataDirectory = dataDir;
        if (CredentialsOut is { } credentialsOut) options.CredentialsOutputPath = credentialsOut;
        if (AdminToken is { } adminToken) options.AdminToken = adminToken;
        if (TokenLifetimeSeconds is { } tokenLifetime) options.TokenLifetime = TimeSpan.FromSeconds(tokenLifetime);
        if (ChunkRows is { } chunkRows) options.ChunkRowCount = chunkRows;
        if (ChunkBytes is { } chunkBytes) options.ChunkByteLimit = chunkBytes;
        if (ExternalLinkLifetimeSeconds is { } linkLifetime) options.ExternalLinkLifetime = TimeSpan.FromSeconds(linkLifetime);
        if (ResultRetentionSeconds is { } resultRetention) options.ResultRetention = TimeSpan.FromSeconds(resultRetention);
        if (StatementRetentionSeconds is { } statementRetention) options.StatementRetention = TimeSpan.FromSeconds(statementRetention);

        foreach (var sp in ServicePrincipals ?? [])
            options.ServicePrincipals.Add(new ServicePrincipalOptions
            {
                ClientId = sp.ClientId ?? "", ClientSecret = sp.ClientSecret ?? "", DisplayName = sp.DisplayName ?? "dbxsync-emulator-sp",
            });
        foreach (var pat in PersonalAccessTokens ?? [])
            options.PersonalAccessTokens.Add(new PersonalAccessTokenOptions
            {
                Token = pat.Token ?? "", UserName = pat.UserName ?? "emulator-user@example.com",
                Lifetime = pat.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            });
        if (Warehouse is { } warehouse)
        {
            if (warehouse.Id is { } id) options.Warehouse.Id = id;
            if (warehouse.Name is { } name) options.Warehouse.Name = name;
        }
        if (Faults is { } faults)
        {
            if (faults.ThrottleRate is { } throttle) options.Faults.ThrottleRate = throttle;
            if (faults.UnavailableRate is { } unavailable) options.Faults.UnavailableRate = unavailable;
            if (faults.RetryAfterSeconds is { } retryAfter) options.Faults.RetryAfterSeconds = retryAfter;
            if (faults.PathPrefixes is { } prefixes) options.Faults.PathPrefixes = prefixes;
            if (faults.StatementDelayMs is { } delay) options.Faults.StatementDelay = TimeSpan.FromMilliseconds(delay);
            if (faults.ChunkDelayMs is { } chunkDelay) options.Faults.ChunkDelay = TimeSpan.FromMilliseconds(chunkDelay);
            if (faults.TokenLifetimeSeconds is { } lifetime) options.Faults.TokenLifetimeOverride = TimeSpan.FromSeconds(lifetime);
            if (faults.Seed is { } seed) options.Faults.Seed = seed;
        }
    }
}
