using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Databricks.Adapters;
using DbxSync.Syncs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests;

/// <summary>Issue 13, "Safety": no token provider, and so no secret, outlives what it was made for.</summary>
public sealed class PrincipalSecretReleaseTests
{
    [Fact]
    public async Task Providers_for_a_rotation_proof_a_refused_registration_and_a_deleted_principal_are_released()
    {
        await using var stack = await SyncStack.CreateAsync();
        var connector = (DatabricksConnector)stack.Services.GetRequiredService<IDatabricksConnector>();
        var principals = stack.Services.GetRequiredService<ServicePrincipalService>();
        Assert.Contains(stack.Principal.Id, connector.CachedCredentialKeys);

        // A registration the workspace refuses keeps nothing.
        var before = connector.CachedCredentialKeys.ToHashSet();
        await Assert.ThrowsAsync<ValidationException>(() => principals.RegisterAsync(new RegisterPrincipalRequest(
            stack.Emulator.Host, stack.Emulator.ClientId, "not-the-secret-" + Guid.NewGuid().ToString("N"), null, "refused", stack.Emulator.WarehouseId)));
        Assert.Equal(before, connector.CachedCredentialKeys.ToHashSet());

        // A rotation keeps neither the proof's provider nor the old secret's.
        await principals.RotateSecretAsync(stack.Principal.Id, stack.Emulator.ClientSecret, null, null);
        Assert.DoesNotContain(connector.CachedCredentialKeys, k => k.StartsWith(stack.Principal.Id, StringComparison.Ordinal));
        // The principal still works: the next connect makes a provider from the stored secret.
        await (await principals.ConnectAsync(stack.Principal.Id)).VerifyCredentialsAsync();
        Assert.Contains(stack.Principal.Id, connector.CachedCredentialKeys);

        // A deleted principal's provider goes with it.
        var other = await principals.RegisterAsync(new RegisterPrincipalRequest(
            stack.Emulator.Host, stack.Emulator.ClientId, stack.Emulator.ClientSecret, null, "short-lived", stack.Emulator.WarehouseId));
        await (await principals.ConnectAsync(other.Id)).VerifyCredentialsAsync();
        Assert.Contains(other.Id, connector.CachedCredentialKeys);
        await principals.DeleteAsync(other.Id, null);
        Assert.DoesNotContain(other.Id, connector.CachedCredentialKeys);
    }
}
