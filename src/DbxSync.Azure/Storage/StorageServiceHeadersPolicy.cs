using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

/// <summary>
/// Stamps the version and date on every attempt. It runs per retry so that a request retried
/// after a long backoff still carries a date inside the service's 15-minute window.
/// </summary>
internal sealed class StorageServiceHeadersPolicy(StorageServiceKind service, string version) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var headers = message.Request.Headers;
        headers.SetValue("x-ms-version", version);
        headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        if (service == StorageServiceKind.Table)
        {
            headers.SetValue("DataServiceVersion", "3.0");
            headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        }
    }
}
