using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

/// <summary>
/// Full Shared Key for Blob and Queue (SharedKeyLite is not supported by Azurite for these services).
/// Must run after every policy that adds headers, because all x-ms-* headers are signed.
/// </summary>
internal sealed class SharedKeyBlobQueuePolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var headers = request.Headers
            .Select(h => new KeyValuePair<string, string>(h.Name, h.Value))
            .ToList();
        long? contentLength = request.Content is not null && request.Content.TryComputeLength(out var length) ? length : null;
        var stringToSign = BuildStringToSign(request.Method.Method, request.Uri.ToUri(), headers, contentLength, credential.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKey {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }

    public static string BuildStringToSign(
        string method, Uri uri, IReadOnlyCollection<KeyValuePair<string, string>> headers, long? contentLength, string accountName)
    {
        string Header(string name) => headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value ?? "";

        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(Header("Content-Encoding")).Append('\n');
        sb.Append(Header("Content-Language")).Append('\n');
        // Since 2015-02-21 a zero length is signed as empty, which is also what a body-less request has.
        sb.Append(contentLength is > 0 ? contentLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "").Append('\n');
        sb.Append(Header("Content-MD5")).Append('\n');
        sb.Append(Header("Content-Type")).Append('\n');
        sb.Append('\n'); // Date: empty because x-ms-date is always sent.
        sb.Append(Header("If-Modified-Since")).Append('\n');
        sb.Append(Header("If-Match")).Append('\n');
        sb.Append(Header("If-None-Match")).Append('\n');
        sb.Append(Header("If-Unmodified-Since")).Append('\n');
        sb.Append(Header("Range")).Append('\n');

        foreach (var header in headers
                     .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        sb.Append(CanonicalizedResource(uri, accountName));
        return sb.ToString();
    }

    private static string CanonicalizedResource(Uri uri, string accountName)
    {
        var sb = new StringBuilder();
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath.Length > 0 ? uri.AbsolutePath : "/");
        var parameters = QueryParameters(uri.Query)
            .GroupBy(p => p.Name.ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in parameters)
        {
            var values = group.Select(p => p.Value).OrderBy(v => v, StringComparer.Ordinal);
            sb.Append('\n').Append(group.Key).Append(':').Append(string.Join(',', values));
        }
        return sb.ToString();
    }

    private static IEnumerable<(string Name, string Value)> QueryParameters(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            yield return (name, value);
        }
    }
}
