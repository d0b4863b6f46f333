using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DbxSync.Cli;

/// <summary>Thin client of DbxSync's management API (snake_case JSON, problem+json errors).</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, string token)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static ApiClient FromEnvironment()
        => new(new Uri(Env("DBXSYNC_API_URL")), Env("DBXSYNC_API_TOKEN"));

    public static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
        ? v : throw new InvalidOperationException($"{name} is not set (run ./dbxsync up, which writes .dbxsync/local.env)");

    public Task<JsonObject> PostAsync(string path, object body, CancellationToken cancellationToken = default) => SendAsync(HttpMethod.Post, path, body, cancellationToken);
    public Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken = default) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new ApiException((int)response.StatusCode, text);
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// POST /sync-configs/{id}/run answers 202 with the run's Location; the run is then polled until it ends. Yields
    /// the run as it goes (queued, running with its progress, then finished).
    /// </summary>
    public async IAsyncEnumerable<JsonObject> RunAndFollowAsync(string configId, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/databricks/sync-configs/{Uri.EscapeDataString(configId)}/run");
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new ApiException((int)response.StatusCode, text);
        var location = response.Headers.Location ?? throw new InvalidOperationException("The API accepted the run but gave no Location to follow.");
        var run = JsonNode.Parse(text)!.AsObject();
        while (true)
        {
            yield return run;
            if ((string?)run["outcome"] is not ("queued" or "running")) yield break;
            await Task.Delay(pollInterval, cancellationToken);
            run = await GetAsync(location.ToString(), cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();
}

public sealed class ApiException(int status, string body) : Exception($"HTTP {status}: {Describe(body)}")
{
    public int Status { get; } = status;

    private static string Describe(string body)
    {
        try
        {
            var problem = JsonNode.Parse(body)!.AsObject();
            return $"{problem["title"]}: {problem["detail"]}{(problem["field"] is { } f ? $" (field {f})" : "")}";
        }
        catch (JsonException) { return body.Length > 500 ? body[..500] : body; }
    }
}
