using System.Collections.Concurrent;
using System.Security.Cryptography;
using DbxSync.Emulator.Faults;
using DbxSync.Emulator.Provisioning;

namespace DbxSync.Emulator.Auth;

/// <summary>Who a bearer token belongs to; UserName is what DESCRIBE HISTORY reports as userName.</summary>
public sealed record AuthenticatedPrincipal(string UserName, bool IsServicePrincipal);

/// <summary>Issues opaque OAuth tokens for service principals and validates those plus the provisioned PATs.</summary>
public sealed class TokenService
{
    private sealed record IssuedToken(AuthenticatedPrincipal Principal, DateTimeOffset? ExpiresAt);

    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly EmulatorCredentials _credentials;
    private readonly TimeSpan _defaultLifetime;
    private readonly FaultInjector _faults;
    private readonly TimeProvider _time;

    public TokenService(EmulatorCredentials credentials, TimeSpan defaultLifetime, FaultInjector faults, TimeProvider time)
    {
        _credentials = credentials;
        _defaultLifetime = defaultLifetime;
        _faults = faults;
        _time = time;
        foreach (var pat in credentials.PersonalAccessTokens)
            _tokens[pat.Token] = new IssuedToken(new AuthenticatedPrincipal(pat.UserName, false),
                pat.Lifetime is { } lifetime ? time.GetUtcNow() + lifetime : null);
    }

    public ServicePrincipal? FindServicePrincipal(string clientId, string clientSecret) =>
        _credentials.ServicePrincipals.FirstOrDefault(sp =>
            sp.ClientId == clientId &&
            CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(sp.ClientSecret), System.Text.Encoding.UTF8.GetBytes(clientSecret)));

    public (string Token, TimeSpan Lifetime) IssueFor(ServicePrincipal principal)
    {
        RemoveExpired();
        var lifetime = _faults.TokenLifetimeOverride ?? _defaultLifetime;
        var token = "dbxemu" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        // Real SP tokens are attributed to the application id in table history.
        _tokens[token] = new IssuedToken(new AuthenticatedPrincipal(principal.ClientId, true), _time.GetUtcNow() + lifetime);
        return (token, lifetime);
    }

    public AuthenticatedPrincipal? Validate(string token)
    {
        if (!_tokens.TryGetValue(token, out var issued))
            return null;
        if (issued.ExpiresAt is { } expiresAt && expiresAt <= _time.GetUtcNow())
            return null;
        return issued.Principal;
    }

    // Expired and unknown tokens both answer 403, so forgetting them changes nothing a client can see.
    private void RemoveExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var (token, issued) in _tokens)
            if (issued.ExpiresAt is { } expiresAt && expiresAt <= now)
                _tokens.TryRemove(token, out _);
    }
}
