using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DbxSync.LocalKeyVault;

/// <summary>
/// Key Vault's authentication handshake: a request without (or with a wrong) bearer token gets 401 and a
/// challenge naming the tenant and resource. SecretClient's ChallengeBasedAuthenticationPolicy sends its
/// first request without a token, reads this challenge, gets a token for that tenant and retries.
/// </summary>
internal sealed class BearerChallenge(LocalKeyVaultOptions options)
{
    private readonly byte[] _acceptedToken = Encoding.UTF8.GetBytes(options.AcceptedToken);
    private readonly string _challenge =
        $"Bearer authorization=\"https://login.microsoftonline.com/{options.TenantId}\", resource=\"https://vault.azure.net\"";

    public enum Outcome { Accepted, MissingToken, WrongToken }

    public Outcome Check(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return Outcome.MissingToken;
        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        // Constant-time so the dev token cannot be guessed byte by byte from response timing.
        return CryptographicOperations.FixedTimeEquals(presented, _acceptedToken) ? Outcome.Accepted : Outcome.WrongToken;
    }

    public VaultError Reject(HttpResponse response, Outcome outcome)
    {
        response.Headers.WWWAuthenticate = _challenge;
        return new VaultError(401, "Unauthorized", outcome == Outcome.MissingToken
            ? "AKV10000: Request is missing a Bearer or PoP token."
            : "AKV10032: The bearer token is not the token this local vault accepts.");
    }
}
