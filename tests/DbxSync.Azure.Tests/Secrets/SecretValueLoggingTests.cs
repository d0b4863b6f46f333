using System.Diagnostics.Tracing;
using Azure.Core.Diagnostics;
using DbxSync.Azure.Secrets;
using DbxSync.LocalKeyVault;
using DbxSync.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DbxSync.Azure.Tests.Secrets;

/// <summary>Secret values must not appear in app logs, Azure SDK event logs, or the local endpoint's logs.</summary>
public sealed class SecretValueLoggingTests
{
    [Fact]
    public async Task Secret_value_never_appears_in_captured_logs()
    {
        var appLogs = new LogCapture();
        var serverLogs = new LogCapture();
        var sdkEvents = new LogCapture();
        var secretValue = "S3cret-" + Guid.NewGuid().ToString("N");
        var name = "sp." + Guid.NewGuid().ToString("N");

        // A dedicated endpoint so its logs hold only this test's traffic.
        await using var server = await LocalKeyVaultServer.StartAsync(new LocalKeyVaultOptions
        {
            AcceptedToken = "logging-test-token",
            ConfigureLogging = logging => logging.AddProvider(serverLogs),
        }, CancellationToken.None);
        using var listener = new AzureEventSourceListener((e, message) => sdkEvents.Add($"{e.EventSource.Name} {e.EventName}: {message}"), EventLevel.Verbose);
        using var store = new KeyVaultSecretStore(new KeyVaultSecretStoreOptions
        {
            VaultUri = server.VaultUri,
            Credential = new StaticTokenCredential(server.AcceptedToken),
            DisableChallengeResourceVerification = true,
            TrustedServerCertificate = server.Certificate,
            CacheDuration = TimeSpan.Zero,
        }, appLogs.CreateLogger<KeyVaultSecretStore>());

        await store.SetSecretAsync(name, secretValue);
        Assert.Equal(secretValue, await store.GetSecretAsync(name));
        await store.SetSecretAsync(name, secretValue + "-rotated");
        await store.DeleteSecretAsync(name);

        // Prove the capture works (names and SDK request events are there) before asserting the value is absent.
        Assert.Contains(KeyVaultSecretName.FromLogicalName(name), appLogs.AllText);
        Assert.Contains(KeyVaultSecretName.FromLogicalName(name), serverLogs.AllText);
        Assert.Contains("Request", sdkEvents.AllText);
        Assert.DoesNotContain(secretValue, appLogs.AllText);
        Assert.DoesNotContain(secretValue, serverLogs.AllText);
        Assert.DoesNotContain(secretValue, sdkEvents.AllText);
        Assert.DoesNotContain(server.AcceptedToken, sdkEvents.AllText + serverLogs.AllText + appLogs.AllText);
    }
}
