using Azure.Core;
using DbxSync.Databricks.Auth;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

/// <summary>The Entra token cache: renewed at least 40 s before expiry, one scope per token, management headers only with a resource id.</summary>
public sealed class EntraTokenProviderTests
{
    private sealed class CountingCredential(TimeProvider time, TimeSpan lifetime) : TokenCredential
    {
        public List<string> Scopes { get; } = [];
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.Add(string.Join(' ', requestContext.Scopes));
            return ValueTask.FromResult(new AccessToken($"token-{Scopes.Count}", time.GetUtcNow() + lifetime));
        }
    }

    [Fact]
    public async Task A_token_is_reused_until_40_seconds_before_it_expires_even_with_a_smaller_margin_asked_for()
    {
        var time = new ManualTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var provider = new EntraTokenProvider(_ => Task.FromResult<TokenCredential>(credential), "test", null, time, refreshMargin: TimeSpan.FromSeconds(5));

        var first = await provider.GetTokenAsync();
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(41));
        Assert.Equal(first, await provider.GetTokenAsync());
        time.Advance(TimeSpan.FromSeconds(2)); // 39 s left: Azure Databricks would refuse it within 30 s, so renew now
        Assert.NotEqual(first, await provider.GetTokenAsync());
        Assert.Equal([EntraTokenProvider.AzureDatabricksScope, EntraTokenProvider.AzureDatabricksScope], credential.Scopes);
        Assert.Equal("2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default", EntraTokenProvider.AzureDatabricksScope);
    }

    [Fact]
    public async Task Management_headers_carry_an_arm_token_and_the_resource_id_only_when_a_resource_id_is_set()
    {
        var time = new ManualTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var none = new EntraTokenProvider(_ => Task.FromResult<TokenCredential>(credential), "test", null, time);
        Assert.Empty(await none.GetExtraHeadersAsync());

        const string resourceId = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws";
        var with = new EntraTokenProvider(_ => Task.FromResult<TokenCredential>(credential), "test", resourceId, time);
        var headers = (await with.GetExtraHeadersAsync()).ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal(resourceId, headers["X-Databricks-Azure-Workspace-Resource-Id"]);
        Assert.StartsWith("token-", headers["X-Databricks-Azure-SP-Management-Token"]);
        await with.GetExtraHeadersAsync(); // cached
        Assert.Equal(["https://management.core.windows.net//.default"], credential.Scopes);
    }
}
