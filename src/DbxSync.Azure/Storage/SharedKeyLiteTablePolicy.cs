using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

/// <summary>
/// SharedKeyLite for the Table service, as Azure.Data.Tables signs: only the date and the
/// resource (plus ?comp=) are signed, so no header ordering can break it.
/// </summary>
internal sealed class SharedKeyLiteTablePolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        if (!request.Headers.TryGetValue("x-ms-date", out var date))
            throw new InvalidOperationException("x-ms-date must be set before signing.");
        var stringToSign = BuildStringToSign(date, request.Uri.ToUri(), credential.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKeyLite {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }

    public static string BuildStringToSign(string date, Uri uri, string accountName)
    {
        var sb = new StringBuilder();
        sb.Append(date).Append('\n');
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath.Length > 0 ? uri.AbsolutePath : "/");
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith("comp=", StringComparison.OrdinalIgnoreCase))
            {
                sb.Append("?comp=").Append(Uri.UnescapeDataString(pair[5..]));
                break;
            }
        }
        return sb.ToString();
    }
}
