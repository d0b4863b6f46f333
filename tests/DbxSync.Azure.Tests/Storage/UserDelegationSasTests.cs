using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Web;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

/// <summary>
/// The read URLs of input manifests as the app makes them in Azure: signed in with Entra ID (no account key), so
/// IBlobStore.GetReadUrlAsync signs a user-delegation SAS. Run against Azurite with OAuth (`--oauth basic` over
/// HTTPS, which serves Get User Delegation Key and checks a token's issuer, audience and lifetime but not its
/// signature: https://github.com/Azure/Azurite#oauth-configuration).
/// </summary>
public sealed class UserDelegationSasTests : IAsyncLifetime
{
    private Process? _azurite;
    private string _directory = "";
    private X509Certificate2 _certificate = null!;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("dbxsync-azurite-oauth-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(_directory, "cert.pem"), _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0)) { listener.Start(); port = ((IPEndPoint)listener.LocalEndpoint).Port; }
        var start = new ProcessStartInfo(RepoPaths.Combine("node_modules", ".bin", "azurite-blob")) { WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", port.ToString(),
                     "--oauth", "basic", "--cert", Path.Combine(_directory, "cert.pem"), "--key", Path.Combine(_directory, "key.pem") })
            start.ArgumentList.Add(a);
        _azurite = Process.Start(start)!;
        _azurite.OutputDataReceived += (_, _) => { };
        _azurite.ErrorDataReceived += (_, _) => { };
        _azurite.BeginOutputReadLine();
        _azurite.BeginErrorReadLine();
        _endpoint = new Uri($"https://127.0.0.1:{port}/devstoreaccount1");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { using var probe = new TcpClient(); await probe.ConnectAsync(IPAddress.Loopback, port); break; }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_azurite.HasExited) { await Task.Delay(100); }
        }
    }

    public Task DisposeAsync()
    {
        if (_azurite is { HasExited: false }) _azurite.Kill(entireProcessTree: true);
        _azurite?.WaitForExit(5000);
        _azurite?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private HttpClient TrustingClient() => new(new HttpClientHandler
    {
        // Only the certificate this test made is trusted.
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.RawData.AsSpan().SequenceEqual(_certificate.RawData),
    });

    [Fact]
    public async Task Without_an_account_key_the_read_url_is_a_user_delegation_sas_that_downloads_the_blob_read_only()
    {
        using var http = TrustingClient();
        var service = new BlobServiceClient(_endpoint, new UnsignedEntraToken(), new BlobClientOptions { Transport = new HttpClientTransport(http) });
        IBlobStore store = new BlobStore(service);
        var content = Encoding.UTF8.GetBytes("an input image");
        await store.EnsureContainerAsync("volumes");
        await store.UploadAsync("volumes", "cfg/raw/cat 1.jpg", new MemoryStream(content), new BlobWriteOptions { ContentType = "image/jpeg" });

        var before = DateTimeOffset.UtcNow;
        var url = await store.GetReadUrlAsync("volumes", "cfg/raw/cat 1.jpg", TimeSpan.FromHours(3));
        Assert.Equal("user_delegation", url.SignedWith);
        var query = HttpUtility.ParseQueryString(url.Url.Query);
        Assert.Equal("r", query["sp"]);
        // skoid/sktid: signed with a delegation key of the token's identity, not an account key.
        Assert.Equal(UnsignedEntraToken.ObjectId, query["skoid"]);
        Assert.Equal(UnsignedEntraToken.TenantId, query["sktid"]);
        Assert.InRange(url.ExpiresOn, before.AddHours(3).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(3).AddMinutes(1));
        Assert.DoesNotContain("Url", url.ToString());

        Assert.Equal(content, await http.GetByteArrayAsync(url.Url));
        // Read-only: the same URL cannot write, and a tampered signature is refused.
        using var put = new HttpRequestMessage(HttpMethod.Put, url.Url) { Content = new ByteArrayContent([1]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(put)).StatusCode);
        var tampered = url.Url.AbsoluteUri.Replace("sp=r", "sp=rw", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(tampered)).StatusCode);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync("volumes", "cfg/raw/cat 1.jpg", TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1)));
    }

    /// <summary>An Entra ID access token for storage, unsigned: Azurite's basic OAuth reads its claims only.</summary>
    private sealed class UnsignedEntraToken : TokenCredential
    {
        public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        public const string ObjectId = "6c1d4a5e-2b7f-4f0e-9a1c-3d2e5f6a7b8c";

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            static string Part(object o) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(o)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var token = Part(new { alg = "RS256", typ = "JWT" }) + "." + Part(new
            {
                aud = "https://storage.azure.com", iss = $"https://sts.windows.net/{TenantId}/", oid = ObjectId, tid = TenantId,
                nbf = now.AddMinutes(-5).ToUnixTimeSeconds(), iat = now.AddMinutes(-5).ToUnixTimeSeconds(), exp = now.AddHours(1).ToUnixTimeSeconds(),
            }) + ".c2lnbmF0dXJl";
            return new AccessToken(token, now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
