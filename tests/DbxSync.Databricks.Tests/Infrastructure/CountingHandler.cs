namespace DbxSync.Databricks.Tests.Infrastructure;

/// <summary>A transport that answers from a delegate and counts what would have left the process.</summary>
public sealed class CountingHandler(Func<HttpRequestMessage, int, Task<HttpResponseMessage>>? respond = null) : HttpMessageHandler
{
    private int _count;
    public int Count => _count;
    public List<HttpRequestMessage> Seen { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _count);
        lock (Seen) Seen.Add(request);
        return respond?.Invoke(request, n) ?? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{}") });
    }
}
