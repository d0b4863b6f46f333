using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>An emulator over the stub engine on a free port, plus the HTTP helpers the tests share.</summary>
public sealed class EmulatorTestHost : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private EmulatorTestHost(EmulatorHandle handle, StubSqlEngine engine, string dataDirectory)
    {
        Handle = handle;
        Engine = engine;
        _dataDirectory = dataDirectory;
        Anonymous = new HttpClient { BaseAddress = handle.BaseUrl, Timeout = TimeSpan.FromSeconds(90) };
        Client = new HttpClient { BaseAddress = handle.BaseUrl, Timeout = TimeSpan.FromSeconds(90) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", handle.PersonalAccessToken);
    }

    public EmulatorHandle Handle { get; }
    public StubSqlEngine Engine { get; }

    /// <summary>Authorised with the provisioned PAT.</summary>
    public HttpClient Client { get; }

    /// <summary>No Authorization header, for auth tests and external links.</summary>
    public HttpClient Anonymous { get; }

    public static async Task<EmulatorTestHost> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "dbxsync-emulator-test-" + Guid.NewGuid().ToString("N"));
        var options = new EmulatorOptions { Port = 0, DataDirectory = dataDirectory, ChunkRowCount = 100 };
        configure?.Invoke(options);
        var engine = new StubSqlEngine();
        var handle = await EmulatorServer.StartAsync(options, engine);
        return new EmulatorTestHost(handle, engine, dataDirectory);
    }

    public async Task<string> GetOAuthTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oidc/v1/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "all-apis" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Handle.ClientId}:{Handle.ClientSecret}")));
        using var response = await Anonymous.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> PostStatementAsync(string statement, string waitTimeout = "10s", string disposition = "INLINE",
        string onWaitTimeout = "CONTINUE", object[]? parameters = null, long? rowLimit = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["statement"] = statement,
            ["warehouse_id"] = Handle.WarehouseId,
            ["wait_timeout"] = waitTimeout,
            ["disposition"] = disposition,
            ["format"] = "JSON_ARRAY",
            ["on_wait_timeout"] = onWaitTimeout,
        };
        if (parameters is not null)
            body["parameters"] = parameters;
        if (rowLimit is not null)
            body["row_limit"] = rowLimit;
        return Client.PostAsJsonAsync("/api/2.0/sql/statements", body);
    }

    public async Task<JsonElement> ExecuteAsync(string statement, string waitTimeout = "10s", string disposition = "INLINE", object[]? parameters = null,
        long? rowLimit = null)
    {
        using var response = await PostStatementAsync(statement, waitTimeout, disposition, parameters: parameters, rowLimit: rowLimit);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    public async Task<JsonElement> PollUntilTerminalAsync(string statementId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await GetJsonAsync($"/api/2.0/sql/statements/{statementId}");
            var state = status.GetProperty("status").GetProperty("state").GetString();
            if (state is not ("PENDING" or "RUNNING"))
                return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Statement {statementId} still {state}");
            await Task.Delay(50);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await ReadJsonAsync(response);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Handle.DisposeAsync();
        Engine.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One shared emulator per test class for tests that do not change faults or timings.</summary>
public sealed class SharedEmulator : IAsyncLifetime
{
    public EmulatorTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await EmulatorTestHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
