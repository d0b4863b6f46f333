using System.Net;
using Azure;
using Azure.Security.KeyVault.Secrets;
using DbxSync.Azure.Secrets;
using DbxSync.LocalKeyVault;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Secrets;

/// <summary>The local endpoint's Key Vault behaviour, driven through the real SecretClient where possible.</summary>
public sealed class LocalKeyVaultServerTests
{
    private static string UniqueName(string prefix = "kv") => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task SecretClient_follows_absolute_next_links_across_pages()
    {
        await using var server = await StartAsync();
        var client = ClientFor(server);
        for (var i = 0; i < 30; i++)
            await client.SetSecretAsync($"paged-{i:00}", "v");

        var pages = new List<Page<SecretProperties>>();
        await foreach (var page in client.GetPropertiesOfSecretsAsync().AsPages())
            pages.Add(page);

        // SecretClient 4.12 sends no maxresults, so the service default (25) applies.
        Assert.Equal([25, 5], pages.Select(p => p.Values.Count));
        Assert.StartsWith(server.VaultUri.GetLeftPart(UriPartial.Authority) + "/secrets?", pages[0].ContinuationToken);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"paged-{i:00}"), pages.SelectMany(p => p.Values).Select(s => s.Name));
    }

    [Fact]
    public async Task Maxresults_limits_the_page_and_out_of_range_is_rejected()
    {
        await using var server = await StartAsync();
        var client = ClientFor(server);
        for (var i = 0; i < 3; i++)
            await client.SetSecretAsync($"small-{i}", "v");
        using var http = PinnedHttpClient(server.Certificate);
        http.DefaultRequestHeaders.Authorization = new("Bearer", server.AcceptedToken);

        var first = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri(server.VaultUri, "secrets?api-version=7.4&maxresults=2")))!;
        var nextLink = first["nextLink"]!.GetValue<string>();
        var second = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(nextLink))!;

        Assert.Equal(2, first["value"]!.AsArray().Count);
        Assert.Null(first["value"]![0]!["value"]); // list items never carry values
        Assert.Single(second["value"]!.AsArray());
        Assert.Null(second["nextLink"]);
        using var tooMany = await http.GetAsync(new Uri(server.VaultUri, "secrets?api-version=7.4&maxresults=26"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Get_by_version_and_update_attributes()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        var client = vault.CreateSecretClient();
        var name = UniqueName();
        var first = (await client.SetSecretAsync(name, "one")).Value;
        await client.SetSecretAsync(name, "two");

        Assert.Equal("one", (await client.GetSecretAsync(name, first.Properties.Version)).Value.Value);
        Assert.Equal($"{vault.VaultUri.GetLeftPart(UriPartial.Authority)}/secrets/{name}/{first.Properties.Version}", first.Id.ToString());

        first.Properties.ContentType = "text/plain";
        first.Properties.Enabled = false;
        var updated = (await client.UpdateSecretPropertiesAsync(first.Properties)).Value;
        Assert.Equal("text/plain", updated.ContentType);
        var disabled = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync(name, first.Properties.Version));
        Assert.Equal(403, disabled.Status);
    }

    [Fact]
    public async Task Deleted_name_is_blocked_until_recovered_or_purged()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        var client = vault.CreateSecretClient();
        var name = UniqueName();
        await client.SetSecretAsync(name, "v");

        var deletion = await client.StartDeleteSecretAsync(name);
        var deleted = (await deletion.WaitForCompletionAsync()).Value;
        Assert.NotNull(deleted.RecoveryId);
        Assert.NotNull(deleted.ScheduledPurgeDate);
        Assert.NotNull(deleted.DeletedOn);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync(name, "again"));
        Assert.Equal(409, conflict.Status);
        Assert.Contains("ObjectIsDeletedButRecoverable", conflict.Message);

        var recovery = await client.StartRecoverDeletedSecretAsync(name);
        await recovery.WaitForCompletionAsync();
        Assert.Equal("v", (await client.GetSecretAsync(name)).Value.Value);

        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();
        await client.PurgeDeletedSecretAsync(name);
        await client.SetSecretAsync(name, "reused");
    }

    [Fact]
    public async Task Invalid_names_get_400_BadParameter()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => vault.CreateSecretClient().SetSecretAsync("has_underscore", "v"));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.ErrorCode);
    }

    [Fact]
    public async Task Missing_secret_is_404_SecretNotFound()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => vault.CreateSecretClient().GetSecretAsync(UniqueName()));

        Assert.Equal(404, error.Status);
        Assert.Equal("SecretNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Unauthenticated_request_gets_the_challenge()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var http = PinnedHttpClient(vault.Certificate);

        using var response = await http.GetAsync(new Uri(vault.VaultUri, "secrets?api-version=7.4"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("authorization=\"https://login.microsoftonline.com/", challenge);
        Assert.Contains("resource=\"https://vault.azure.net\"", challenge);
    }

    [Fact]
    public async Task Plain_http_is_not_served()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var plain = new UriBuilder(vault.VaultUri) { Scheme = "http" }.Uri;

        // Kestrel only speaks TLS on this port: a plain request fails or is answered with an error, never served.
        try
        {
            using var response = await http.GetAsync(new Uri(plain, "secrets?api-version=7.4"));
            Assert.False(response.IsSuccessStatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        catch (HttpRequestException)
        {
        }
    }

    [Fact]
    public async Task SecretClient_refuses_to_send_a_token_over_http()
    {
        var client = new SecretClient(new Uri("http://127.0.0.1:1/"), new StaticTokenCredential("t"),
            new SecretClientOptions { DisableChallengeResourceVerification = true, Retry = { MaxRetries = 0 } });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetSecretAsync("x"));

        Assert.Contains("non TLS", error.ToString());
    }

    [Fact]
    public async Task Untrusted_certificate_is_rejected_by_the_pinned_transport()
    {
        var vault = await LocalKeyVaultInstance.GetAsync();
        await using var other = await StartAsync();
        // Trust the other server's certificate only: the shared vault's certificate must not be accepted.
        using var store = new KeyVaultSecretStore(new KeyVaultSecretStoreOptions
        {
            VaultUri = vault.VaultUri,
            Credential = new StaticTokenCredential(vault.AcceptedToken),
            DisableChallengeResourceVerification = true,
            TrustedServerCertificate = other.Certificate,
            HealthCheckTimeout = TimeSpan.FromSeconds(20),
        });

        var health = await store.CheckHealthAsync();
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetSecretAsync("anything"));

        Assert.False(health.IsHealthy);
        Assert.Contains("unreachable", health.Reason);
        Assert.Contains("could not be reached", error.Message);
    }

    [Fact]
    public async Task Data_file_and_pfx_survive_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("localkv-");
        try
        {
            var options = new LocalKeyVaultOptions
            {
                AcceptedToken = "restart-token",
                DataFilePath = Path.Combine(directory.FullName, "vault.json"),
                CertificatePfxPath = Path.Combine(directory.FullName, "vault.pfx"),
                CertificateOutputPath = Path.Combine(directory.FullName, "vault.pem"),
            };
            string thumbprint;
            await using (var first = await LocalKeyVaultServer.StartAsync(options, CancellationToken.None))
            {
                await ClientFor(first).SetSecretAsync("survivor", "kept");
                thumbprint = first.Certificate.Thumbprint;
            }
            Assert.Contains("BEGIN CERTIFICATE", await File.ReadAllTextAsync(options.CertificateOutputPath));
            Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(options.CertificateOutputPath));

            await using var second = await LocalKeyVaultServer.StartAsync(options, CancellationToken.None);

            Assert.Equal(thumbprint, second.Certificate.Thumbprint);
            Assert.Equal("kept", (await ClientFor(second).GetSecretAsync("survivor")).Value.Value);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Store_tolerates_purge_protection_and_recovers_the_name_on_the_next_set()
    {
        await using var server = await StartAsync(purgeAllowed: false);
        using var store = new KeyVaultSecretStore(new KeyVaultSecretStoreOptions
        {
            VaultUri = server.VaultUri,
            Credential = new StaticTokenCredential(server.AcceptedToken),
            DisableChallengeResourceVerification = true,
            TrustedServerCertificate = server.Certificate,
        });

        await store.SetSecretAsync("protected", "v1");
        await store.DeleteSecretAsync("protected");
        Assert.Null(await store.GetSecretAsync("protected"));
        await store.DeleteSecretAsync("protected"); // already soft-deleted: still no error

        await store.SetSecretAsync("protected", "v2");
        Assert.Equal("v2", await store.GetSecretAsync("protected"));
    }

    private static Task<LocalKeyVaultServer> StartAsync(bool purgeAllowed = true) =>
        LocalKeyVaultServer.StartAsync(new LocalKeyVaultOptions { AcceptedToken = "own-" + Guid.NewGuid().ToString("N"), PurgeAllowed = purgeAllowed }, CancellationToken.None);

    private static SecretClient ClientFor(LocalKeyVaultServer server) =>
        new(server.VaultUri, new StaticTokenCredential(server.AcceptedToken), new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = PinnedCertificateTransport.Create(server.Certificate),
        });

    private static HttpClient PinnedHttpClient(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        new(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        });
}
