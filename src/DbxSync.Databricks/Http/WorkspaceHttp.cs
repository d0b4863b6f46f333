using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbxSync.Databricks.Http;

/// <summary>JSON calls against one workspace: builds requests, sends them through the authenticated pipeline, turns failures into DatabricksRequestFailedException.</summary>
internal sealed class WorkspaceHttp(Uri baseUri, HttpClient client)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        // Bodies go to a JSON API, never into HTML: the default encoder's HTML-safe escapes (a quote as \u0022,
        // every non-ASCII character as \uXXXX) made a 4 MiB JSON statement parameter 7-8 MB on the wire. The relaxed
        // encoder still escapes what JSON requires (quote, backslash, control characters).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public Uri BaseUri { get; } = baseUri;
    public HttpClient Client { get; } = client;

    public HttpRequestMessage NewRequest(HttpMethod method, string relativePathAndQuery, string operation, ResendPolicy resend = ResendPolicy.ByMethod)
    {
        if (!relativePathAndQuery.StartsWith('/')) throw new ArgumentException("Expected an absolute path.", nameof(relativePathAndQuery));
        var request = new HttpRequestMessage(method, new Uri(BaseUri, relativePathAndQuery));
        request.Options.Set(RequestPolicy.Operation, operation);
        request.Options.Set(RequestPolicy.Resend, resend);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Buffered JSON body: small and therefore safe to re-send on retry.</summary>
    public static ByteArrayContent JsonBody<T>(T body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var response = await Client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
            throw await DatabricksErrorParser.FromResponseAsync(response, RequestPolicy.OperationName(request), cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> SendJsonAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await SendAsync(request, cancellationToken).ConfigureAwait(false))
            return await ReadJsonAsync<T>(response, RequestPolicy.OperationName(request), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Like SendJsonAsync but a 404 yields default instead of an error.</summary>
    public async Task<T?> SendJsonOrDefaultOnNotFoundAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken) where T : class
    {
        try { return await SendJsonAsync<T>(request, cancellationToken).ConfigureAwait(false); }
        catch (DatabricksRequestFailedException e) when (e.Status == 404) { return null; }
    }

    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength == 0) return JsonSerializer.Deserialize<T>("{}", Json)!;
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken).ConfigureAwait(false)
                   ?? throw new JsonException("null body");
        }
        catch (JsonException e)
        {
            throw new DatabricksRequestFailedException(Core.Errors.WorkspaceErrorKind.Other,
                $"Databricks {operation}: the response was not the expected JSON ({e.GetType().Name} at {e.Path ?? "root"}).", (int)response.StatusCode);
        }
    }
}
