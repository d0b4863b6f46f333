using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DbxSync.LocalKeyVault;

/// <summary>The endpoint's TLS certificate: self-signed, for loopback names only. The Entra stand-in serves the same kind.</summary>
public static class LocalCertificate
{
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    internal static X509Certificate2 LoadOrCreate(LocalKeyVaultOptions options)
    {
        if (options.CertificatePfxPath is { } pfxPath)
        {
            if (File.Exists(pfxPath))
                return X509CertificateLoader.LoadPkcs12FromFile(pfxPath, options.CertificatePfxPassword);

            var created = Create(options.Host);
            WritePrivateFile(pfxPath, created.Export(X509ContentType.Pkcs12, options.CertificatePfxPassword));
            return created;
        }
        return Create(options.Host);
    }

    public static void WritePublicPem(X509Certificate2 certificate, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
    }

    public static X509Certificate2 Create(string host)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=DbxSync LocalKeyVault (development only)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        if (IPAddress.TryParse(host, out var ip) && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any))
            names.AddIpAddress(ip);
        else if (!IPAddress.TryParse(host, out _) && !string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            names.AddDnsName(host);

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthenticationOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform
        // (an ephemeral key from CreateSelfSigned is rejected by SChannel on Windows).
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private static void WritePrivateFile(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
