using System.Globalization;
using System.Text.RegularExpressions;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// Runs SQL on a warehouse through /api/2.0/sql/statements: submit, poll until terminal, cancel on the caller's
/// cancellation, and hand back a lazily read result. SQL failures arrive as HTTP 200 + FAILED and become
/// DatabricksRequestFailedException(Kind SqlError) with ErrorClass and SqlState.
/// </summary>
public sealed partial class SqlStatementClient
{
    private const string StatementsPath = "/api/2.0/sql/statements";
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] TransientErrorCodes =
        ["TEMPORARILY_UNAVAILABLE", "WORKSPACE_TEMPORARILY_UNAVAILABLE", "SERVICE_UNDER_MAINTENANCE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex ParameterName();

    private readonly WorkspaceHttp _http;
    private readonly HttpClient _linkClient;
    private readonly DatabricksClientOptions _options;

    internal SqlStatementClient(WorkspaceHttp http, HttpClient linkClient, DatabricksClientOptions options)
    {
        _http = http;
        _linkClient = linkClient;
        _options = options;
    }

    public async Task<SqlStatementResult> ExecuteAsync(string statement, IReadOnlyList<SqlParameter>? parameters = null, StatementOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statement);
        options ??= new StatementOptions();
        if (string.IsNullOrWhiteSpace(options.WarehouseId))
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.BadRequest, "A SQL warehouse id is required to run a statement.");

        var body = new ExecuteStatementRequest(
            statement,
            options.WarehouseId,
            (parameters ?? []).Select(ToWire).ToList(),
            WaitTimeoutText(_options.StatementWaitTimeout),
            "CONTINUE",
            options.LargeResult ? "EXTERNAL_LINKS" : "INLINE",
            "JSON_ARRAY");

        // Reads may be re-submitted after an ambiguous failure; writes may not (see DatabricksRetryHandler).
        var request = _http.NewRequest(HttpMethod.Post, StatementsPath, "statement execution",
            options.IsWrite ? ResendPolicy.WriteStatement : ResendPolicy.Idempotent);
        request.Content = WorkspaceHttp.JsonBody(body);
        // The POST itself waits up to wait_timeout for the result. Cancelling it from our side would leave the
        // statement running on the warehouse with an id we never learned, so the POST completes in the background
        // and the statement is cancelled on the server as soon as its id is known.
        var post = _http.SendJsonAsync<StatementResponse>(request, CancellationToken.None);
        StatementResponse response;
        try
        {
            response = await post.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = CancelOnceAcceptedAsync(post);
            throw;
        }
        var statementId = response.StatementId
            ?? throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, "Databricks statement execution: the response carried no statement_id.");

        try
        {
            var delay = _options.InitialPollInterval;
            while (IsRunning(response.Status?.State))
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollInterval.Ticks));
                response = await GetStatementAsync(statementId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Walking away does not stop a warehouse statement; ask the server to cancel, then give up.
            await TryCancelAsync(statementId).ConfigureAwait(false);
            throw;
        }

        return ToResult(statementId, response, options);
    }

    private async Task CancelOnceAcceptedAsync(Task<StatementResponse> post)
    {
        try
        {
            var accepted = await post.ConfigureAwait(false);
            if (accepted.StatementId is { } id && IsRunning(accepted.Status?.State)) await TryCancelAsync(id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DatabricksRequestFailedException or OperationCanceledException or HttpRequestException) { }
    }

    /// <summary>Asks the server to cancel. Only an acknowledgement: the statement may still finish.</summary>
    public async Task CancelAsync(string statementId, CancellationToken cancellationToken = default)
    {
        var request = _http.NewRequest(HttpMethod.Post, $"{StatementsPath}/{Uri.EscapeDataString(statementId)}/cancel", "statement cancel", ResendPolicy.Idempotent);
        using (request)
        using (await _http.SendAsync(request, cancellationToken).ConfigureAwait(false)) { }
    }

    internal Task<StatementResponse> GetStatementAsync(string statementId, CancellationToken cancellationToken) =>
        _http.SendJsonAsync<StatementResponse>(
            _http.NewRequest(HttpMethod.Get, $"{StatementsPath}/{Uri.EscapeDataString(statementId)}", "statement status"), cancellationToken);

    internal Task<ResultData> GetChunkAsync(string statementId, int chunkIndex, CancellationToken cancellationToken) =>
        _http.SendJsonAsync<ResultData>(
            _http.NewRequest(HttpMethod.Get, $"{StatementsPath}/{Uri.EscapeDataString(statementId)}/result/chunks/{chunkIndex.ToString(CultureInfo.InvariantCulture)}", "result chunk"), cancellationToken);

    /// <summary>next_chunk_internal_link is opaque but must stay on this API; anything else falls back to the index.</summary>
    internal Task<ResultData> GetChunkByLinkAsync(string internalLink, CancellationToken cancellationToken) =>
        _http.SendJsonAsync<ResultData>(_http.NewRequest(HttpMethod.Get, internalLink, "result chunk"), cancellationToken);

    internal static bool IsSafeInternalLink(string? link, string statementId) =>
        link is not null && link.StartsWith($"{StatementsPath}/{Uri.EscapeDataString(statementId)}/result/chunks/", StringComparison.Ordinal)
        && !link.Contains("..", StringComparison.Ordinal) && !link.Contains("//", StringComparison.Ordinal);

    internal HttpClient LinkClient => _linkClient;
    internal TimeProvider Time => _options.TimeProvider;
    internal TimeSpan StreamStallTimeout => _options.StreamStallTimeout;
    internal int MaxParallelChunkDownloads => _options.MaxParallelChunkDownloads;
    internal long MaxChunkBytesInFlight => _options.MaxChunkBytesInFlight;

    private async Task TryCancelAsync(string statementId)
    {
        using var timeout = new CancellationTokenSource(CancelTimeout, _options.TimeProvider);
        try { await CancelAsync(statementId, timeout.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is DatabricksRequestFailedException or OperationCanceledException or HttpRequestException) { }
    }

    private SqlStatementResult ToResult(string statementId, StatementResponse response, StatementOptions options)
    {
        var state = response.Status?.State;
        switch (state)
        {
            case "SUCCEEDED":
                return new SqlStatementResult(this, statementId, response.Manifest, response.Result, options.RowProgress);
            case "FAILED":
                throw SqlFailure(statementId, response.Status!);
            case "CANCELED":
                throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {statementId} was canceled.", errorCode: "CANCELED");
            case "CLOSED":
                throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {statementId} is closed: its result was already released.", errorCode: "CLOSED");
            default:
                throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {statementId} ended in an unexpected state '{state ?? "(none)"}'.");
        }
    }

    private static DatabricksRequestFailedException SqlFailure(string statementId, StatementStatus status)
    {
        var message = (status.Error?.Message ?? "no message").Trim();
        var errorCode = status.Error?.ErrorCodeText;
        var errorClass = SqlErrorMessage.ErrorClass(message);
        var sqlState = status.SqlState ?? SqlErrorMessage.SqlState(message);
        var transient = (errorCode is not null && TransientErrorCodes.Contains(errorCode))
                        || (errorClass?.StartsWith("DELTA_CONCURRENT", StringComparison.Ordinal) ?? false);
        return new DatabricksRequestFailedException(WorkspaceErrorKind.SqlError,
            $"Statement {statementId} failed ({errorCode ?? "no error code"}): {SensitiveText.Redact(message)}",
            errorCode: errorCode, errorClass: errorClass, sqlState: sqlState, isTransient: transient);
    }

    private static bool IsRunning(string? state) => state is "PENDING" or "RUNNING";

    private static StatementParameter ToWire(SqlParameter p)
    {
        if (!ParameterName().IsMatch(p.Name))
            throw new ValidationException($"'{p.Name}' is not a valid statement parameter name (letters, digits, '_').", "parameters", "invalid-parameter");
        return new StatementParameter(p.Name, p.Value, string.IsNullOrWhiteSpace(p.Type) ? "STRING" : p.Type);
    }

    /// <summary>The API accepts only "0s" or "5s".."50s".</summary>
    internal static string WaitTimeoutText(TimeSpan wait)
    {
        var seconds = (int)Math.Round(wait.TotalSeconds);
        if (seconds <= 0) return "0s";
        return Math.Clamp(seconds, 5, 50).ToString(CultureInfo.InvariantCulture) + "s";
    }
}
