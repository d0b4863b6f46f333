using System.Security.Cryptography;

namespace DbxSync.Emulator.Provisioning;

public sealed record ServicePrincipal(string ClientId, string ClientSecret, string DisplayName);

public sealed record PersonalAccessToken(string Token, string UserName, TimeSpan? Lifetime);

public sealed record Warehouse(string Id, string Name);

/// <summary>The principals and warehouse this instance accepts. The first SP and PAT are the defaults scripts use.</summary>
public sealed class EmulatorCredentials
{
    public required IReadOnlyList<ServicePrincipal> ServicePrincipals { get; init; }
    public required IReadOnlyList<PersonalAccessToken> PersonalAccessTokens { get; init; }
    public required Warehouse Warehouse { get; init; }

    public ServicePrincipal DefaultServicePrincipal => ServicePrincipals[0];
    public PersonalAccessToken DefaultPersonalAccessToken => PersonalAccessTokens[0];

    /// <summary>Fills the gaps with fresh random credentials so a bare start is usable but never guessable.</summary>
    public static EmulatorCredentials Provision(EmulatorOptions options)
    {
        var principals = options.ServicePrincipals
            .Select(sp => new ServicePrincipal(
                string.IsNullOrEmpty(sp.ClientId) ? Guid.NewGuid().ToString() : sp.ClientId,
                string.IsNullOrEmpty(sp.ClientSecret) ? NewOAuthSecret() : sp.ClientSecret,
                sp.DisplayName))
            .ToList();
        if (principals.Count == 0)
            principals.Add(new ServicePrincipal(Guid.NewGuid().ToString(), NewOAuthSecret(), "dbxsync-emulator-sp"));

        var tokens = options.PersonalAccessTokens
            .Select(pat => new PersonalAccessToken(
                string.IsNullOrEmpty(pat.Token) ? NewPersonalAccessToken() : pat.Token, pat.UserName, pat.Lifetime))
            .ToList();
        if (tokens.Count == 0)
            tokens.Add(new PersonalAccessToken(NewPersonalAccessToken(), "emulator-user@example.com", null));

        var warehouseId = string.IsNullOrEmpty(options.Warehouse.Id)
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))
            : options.Warehouse.Id;

        return new EmulatorCredentials
        {
            ServicePrincipals = principals,
            PersonalAccessTokens = tokens,
            Warehouse = new Warehouse(warehouseId, options.Warehouse.Name),
        };
    }

    // Same prefixes as real Databricks secrets, so secret scanners and log scrubbers treat them alike.
    private static string NewOAuthSecret() => "dose" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private static string NewPersonalAccessToken() => "dapi" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
