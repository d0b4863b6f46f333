using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Secrets;

/// <summary>
/// An HTTP transport that trusts the system store plus exactly one extra certificate (the local endpoint's
/// self-signed one), matched by SHA-256 thumbprint. Never an accept-all callback.
/// </summary>
public static class PinnedCertificateTransport
{
    public static HttpClientTransport Create(X509Certificate2 trustedCertificate)
    {
        var pinned = trustedCertificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
                errors == SslPolicyErrors.None
                || (presented is not null && CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned)),
        };
        // The transport owns the handler: disposing the transport disposes its HttpClient and handler.
        return new HttpClientTransport(handler);
    }
}
