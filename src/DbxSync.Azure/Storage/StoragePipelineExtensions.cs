using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

internal static class StoragePipelineExtensions
{
    /// <summary>Sends and throws <see cref="StorageRequestFailedException"/> for any status of 400 or more.</summary>
    public static async Task<Response> SendCheckedAsync(this HttpPipeline pipeline, HttpMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // No answer at all (connection refused, DNS, reset) once the retries are spent: Azure.Core throws
            // RequestFailedException or an AggregateException of them. Report it as the one storage failure type,
            // transient (503), naming only the endpoint's host and port (the URI may carry a SAS).
            var uri = message.Request.Uri;
            throw new StorageRequestFailedException($"The storage endpoint {uri.Host}:{uri.Port} could not be reached.", 503, "ServiceUnreachable", inner: e);
        }
        var response = message.Response;
        if (response.Status < 400)
            return response;
        var failure = await StorageErrors.CreateAsync(message.Request, response, cancellationToken).ConfigureAwait(false);
        response.Dispose();
        throw failure;
    }

    public static HttpMessage CreateMessage(this HttpPipeline pipeline, RequestMethod method, Uri uri)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        return message;
    }
}
