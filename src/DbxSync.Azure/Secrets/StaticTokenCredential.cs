using Azure.Core;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// Hands out one fixed token. For a local Key Vault-compatible endpoint in development and tests only;
/// a real vault needs a real identity (DefaultAzureCredential / managed identity).
/// </summary>
public sealed class StaticTokenCredential(string token) : TokenCredential
{
    private readonly string _token = !string.IsNullOrEmpty(token) ? token : throw new ArgumentException("A token is required.", nameof(token));

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(_token, DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    /// <summary>Keeps the token out of debugger views and accidental string interpolation.</summary>
    public override string ToString() => nameof(StaticTokenCredential);
}
