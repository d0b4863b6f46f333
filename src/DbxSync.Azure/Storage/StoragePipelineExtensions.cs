using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

internal static class StoragePipelineExtensions
{
    /// <summary>Sends and throws <see cref="StorageRequestFailedException"/> for any status of 400 or more.</summary>
    public static async Task<Response> SendCheckedAsync(this HttpPipeline pipeline, HttpMessage message, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
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
