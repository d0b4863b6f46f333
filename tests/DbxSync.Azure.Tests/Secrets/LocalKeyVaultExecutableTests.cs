using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using DbxSync.Azure.Secrets;
using Xunit;

namespace DbxSync.Azure.Tests.Secrets;

/// <summary>The endpoint as scripts start it: a separate process that prints one ready line.</summary>
public sealed class LocalKeyVaultExecutableTests
{
    private const string ReadyPrefix = "LocalKeyVault listening on ";

    [Fact]
    public async Task Executable_prints_its_address_and_serves_the_store_with_the_written_certificate()
    {
        var directory = Directory.CreateTempSubdirectory("localkv-exe-");
        var pemPath = Path.Combine(directory.FullName, "kv.pem");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "DbxSync.LocalKeyVault.dll"), "--port", "0", "--cert-out", pemPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DBXSYNC_LOCALKV_TOKEN"] = "exe-token" },
        };
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? line;
            do line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            while (line is not null && !line.StartsWith(ReadyPrefix, StringComparison.Ordinal));
            Assert.NotNull(line);
            Assert.Matches(@"^LocalKeyVault listening on https://127\.0\.0\.1:\d+$", line);

            using var store = new KeyVaultSecretStore(new KeyVaultSecretStoreOptions
            {
                VaultUri = new Uri(line[ReadyPrefix.Length..]),
                Credential = new StaticTokenCredential("exe-token"),
                DisableChallengeResourceVerification = true,
                TrustedServerCertificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pemPath)),
            });
            await store.SetSecretAsync("from-exe", "exe-value");
            Assert.Equal("exe-value", await store.GetSecretAsync("from-exe"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }
}
