using Azure.Security.KeyVault.Secrets;
using DbxSync.Azure.Secrets;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Secrets;

/// <summary>KeyVaultSecretStore through the real SecretClient against the local HTTPS endpoint.</summary>
public sealed class KeyVaultSecretStoreTests
{
    private static string UniqueName(string prefix = "sp") => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Set_then_get_returns_the_value()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore();
        var name = UniqueName();

        await store.SetSecretAsync(name, "client-secret-1");

        Assert.Equal("client-secret-1", await store.GetSecretAsync(name));
    }

    [Fact]
    public async Task Overwrite_creates_a_new_version_and_get_returns_the_latest()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore(o => o.CacheDuration = TimeSpan.Zero);
        var name = UniqueName();

        await store.SetSecretAsync(name, "first");
        await store.SetSecretAsync(name, "second");

        Assert.Equal("second", await store.GetSecretAsync(name));
        var versions = new List<SecretProperties>();
        await foreach (var version in vault.CreateSecretClient().GetPropertiesOfSecretVersionsAsync(name))
            versions.Add(version);
        Assert.Equal(2, versions.Count);
        Assert.All(versions, v => Assert.Matches("^[0-9a-f]{32}$", v.Version));
    }

    [Fact]
    public async Task Get_of_a_missing_secret_returns_null()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore();

        Assert.Null(await store.GetSecretAsync(UniqueName("missing")));
    }

    [Fact]
    public async Task Delete_then_get_returns_null_and_the_name_is_purged()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore();
        var name = UniqueName();
        await store.SetSecretAsync(name, "to-be-deleted");
        Assert.Equal("to-be-deleted", await store.GetSecretAsync(name)); // now cached: delete must invalidate

        await store.DeleteSecretAsync(name);

        Assert.Null(await store.GetSecretAsync(name));
        var purged = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => vault.CreateSecretClient().GetDeletedSecretAsync(name));
        Assert.Equal(404, purged.Status);
    }

    [Fact]
    public async Task Set_after_delete_and_purge_works()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore();
        var name = UniqueName();
        await store.SetSecretAsync(name, "before");
        await store.DeleteSecretAsync(name);

        await store.SetSecretAsync(name, "after");

        Assert.Equal("after", await store.GetSecretAsync(name));
    }

    [Fact]
    public async Task Delete_of_a_missing_secret_is_not_an_error()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore();

        await store.DeleteSecretAsync(UniqueName("never-set"));
    }

    [Fact]
    public async Task Cached_value_is_served_until_this_store_writes_again()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var reader = vault.CreateSecretStore();
        using var otherInstance = vault.CreateSecretStore();
        var name = UniqueName();
        await reader.SetSecretAsync(name, "v1");
        Assert.Equal("v1", await reader.GetSecretAsync(name));

        // Another instance rotates the secret: within the cache window the reader still sees v1 (the accepted trade-off).
        await otherInstance.SetSecretAsync(name, "v2");
        Assert.Equal("v1", await reader.GetSecretAsync(name));

        // A write through the reader itself is visible at once.
        await reader.SetSecretAsync(name, "v3");
        Assert.Equal("v3", await reader.GetSecretAsync(name));
    }

    [Fact]
    public async Task Cache_entries_expire_after_the_configured_duration()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        var clock = new ManualClock();
        using var reader = vault.CreateSecretStore(o => { o.CacheDuration = TimeSpan.FromMinutes(5); o.TimeProvider = clock; });
        using var writer = vault.CreateSecretStore();
        var name = UniqueName();
        await writer.SetSecretAsync(name, "v1");
        Assert.Equal("v1", await reader.GetSecretAsync(name));
        await writer.SetSecretAsync(name, "v2");

        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal("v2", await reader.GetSecretAsync(name));
    }

    [Fact]
    public async Task Wrong_token_surfaces_as_a_clear_401_error()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = new KeyVaultSecretStore(vault.CreateStoreOptions(token: "not-the-dev-token"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetSecretAsync(UniqueName(), "never-stored-value"));

        Assert.Equal(401, error.Status);
        Assert.Contains("credential", error.Message);
        Assert.DoesNotContain("never-stored-value", error.ToString());
    }

    [Fact]
    public async Task Health_is_up_with_the_right_token_and_down_with_a_wrong_one()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var healthy = vault.CreateSecretStore();
        using var rejected = new KeyVaultSecretStore(vault.CreateStoreOptions(token: "wrong"));

        Assert.True((await healthy.CheckHealthAsync()).IsHealthy);
        var down = await rejected.CheckHealthAsync();
        Assert.False(down.IsHealthy);
        Assert.Contains("401", down.Reason);
    }

    [Fact]
    public async Task Http_vault_uri_is_refused_before_any_token_is_sent()
    {
        var error = Assert.Throws<ArgumentException>(() => new KeyVaultSecretStore(new KeyVaultSecretStoreOptions
        {
            VaultUri = new Uri("http://127.0.0.1:1/"),
            Credential = new StaticTokenCredential("t"),
        }));
        Assert.Contains("https", error.Message);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
