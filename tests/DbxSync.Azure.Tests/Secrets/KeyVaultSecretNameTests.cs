using DbxSync.Azure.Secrets;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Secrets;

public sealed class KeyVaultSecretNameTests
{
    [Theory]
    [InlineData("sp-123")]
    [InlineData("ABC-def-0")]
    public void Valid_names_are_kept(string name) => Assert.Equal(name, KeyVaultSecretName.FromLogicalName(name));

    [Fact]
    public void Dots_and_underscores_become_dashes_plus_a_deterministic_hash()
    {
        var mapped = KeyVaultSecretName.FromLogicalName("sp.client_secret");

        Assert.Matches("^sp-client-secret-[0-9a-f]{8}$", mapped);
        Assert.Equal(mapped, KeyVaultSecretName.FromLogicalName("sp.client_secret"));
    }

    [Fact]
    public void Names_that_differ_only_in_replaced_characters_do_not_collide()
    {
        Assert.NotEqual(KeyVaultSecretName.FromLogicalName("a.b"), KeyVaultSecretName.FromLogicalName("a_b"));
        Assert.NotEqual(KeyVaultSecretName.FromLogicalName("a.b"), KeyVaultSecretName.FromLogicalName("a-b"));
    }

    [Fact]
    public void Long_names_are_cut_to_the_vault_limit()
    {
        var mapped = KeyVaultSecretName.FromLogicalName(new string('x', 200) + ".y");

        Assert.Equal(KeyVaultSecretName.MaxLength, mapped.Length);
        Assert.True(KeyVaultSecretName.IsValid(mapped));
    }

    [Fact]
    public void Empty_names_are_rejected() => Assert.Throws<ArgumentException>(() => KeyVaultSecretName.FromLogicalName(""));

    [Fact]
    public async Task Mapped_names_round_trip_through_the_vault_and_keep_the_original_in_a_tag()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var store = vault.CreateSecretStore(o => o.CacheDuration = TimeSpan.Zero);
        var logical = $"sp.{Guid.NewGuid():N}_secret";

        await store.SetSecretAsync(logical, "mapped-value");

        Assert.Equal("mapped-value", await store.GetSecretAsync(logical));
        var raw = (await vault.CreateSecretClient().GetSecretAsync(KeyVaultSecretName.FromLogicalName(logical))).Value;
        Assert.Equal("mapped-value", raw.Value);
        Assert.Equal(logical, raw.Properties.Tags[KeyVaultSecretStore.LogicalNameTag]);
        await store.DeleteSecretAsync(logical);
        Assert.Null(await store.GetSecretAsync(logical));
    }
}
