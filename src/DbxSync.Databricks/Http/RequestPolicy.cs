namespace DbxSync.Databricks.Http;

/// <summary>How a request may be re-sent when the first attempt fails. Stored on HttpRequestMessage.Options.</summary>
internal enum ResendPolicy
{
    /// <summary>Decide by method: GET/HEAD/DELETE/PUT are idempotent, POST is not.</summary>
    ByMethod,
    /// <summary>Safe to repeat even if the server may have run it (reads, token requests, cancel).</summary>
    Idempotent,
    /// <summary>
    /// A statement that changes data. Re-sent only when the server provably did not accept it (429/503 answer,
    /// or a connection that never opened); any other failure is reported as "outcome unknown".
    /// </summary>
    WriteStatement,
}

internal static class RequestPolicy
{
    public static readonly HttpRequestOptionsKey<ResendPolicy> Resend = new("dbxsync.resend");
    /// <summary>False for bodies that cannot be rewound (non-seekable upload streams).</summary>
    public static readonly HttpRequestOptionsKey<bool> ReplayableBody = new("dbxsync.replayable-body");
    /// <summary>False for uploads, whose body transfer may legitimately take longer than one attempt's timeout.</summary>
    public static readonly HttpRequestOptionsKey<bool> UseAttemptTimeout = new("dbxsync.attempt-timeout");
    /// <summary>Names the call in error messages ("list directory"); never the URL, which may be presigned.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("dbxsync.operation");

    public static ResendPolicy GetResend(HttpRequestMessage request) =>
        request.Options.TryGetValue(Resend, out var policy) ? policy : ResendPolicy.ByMethod;

    public static bool IsIdempotent(HttpRequestMessage request) => GetResend(request) switch
    {
        ResendPolicy.Idempotent => true,
        ResendPolicy.WriteStatement => false,
        _ => request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Put,
    };

    public static bool CanReplayBody(HttpRequestMessage request) =>
        !request.Options.TryGetValue(ReplayableBody, out var replayable) || replayable;

    public static string OperationName(HttpRequestMessage request) =>
        request.Options.TryGetValue(Operation, out var op) ? op : request.Method.Method;
}
