using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbxSync.Functions.Invocations;

/// <summary>
/// The body the host expects back. Always a non-empty JSON object with Content-Type application/json: anything
/// else makes the host fail or hang the invocation. Non-2xx tells the host to retry.
/// </summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue)
{
    private static readonly JsonSerializerOptions WireOptions = new() { PropertyNamingPolicy = null };

    public static IResult Ok(IReadOnlyList<string> logs) => Result(200, logs);

    /// <summary>The invocation failed and should be retried by the host.</summary>
    public static IResult Failed(IReadOnlyList<string> logs) => Result(500, logs);

    /// <summary>The envelope itself was unusable.</summary>
    public static IResult Malformed(IReadOnlyList<string> logs) => Result(400, logs);

    private static IResult Result(int status, IReadOnlyList<string> logs)
        => Results.Json(new InvocationResponse(new Dictionary<string, object?>(), logs, null), WireOptions, "application/json", status);
}
