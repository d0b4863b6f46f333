namespace DbxSync.Emulator.Faults;

public enum RequestFault { None, Throttled, Unavailable }

/// <summary>
/// Runtime-tunable misbehaviour so clients can be tested against throttling, outages, slow or failing
/// statements and ambiguous network failures. A seed makes the random share reproducible.
/// </summary>
public sealed class FaultInjector
{
    private sealed record StatementRule(string Match, int Remaining, TimeSpan FailAfter, InjectedError? Error = null, int Skip = 0);

    private readonly object _gate = new();
    private Random _random;
    private double _throttleRate;
    private double _unavailableRate;
    private int _retryAfterSeconds;
    private IReadOnlyList<string> _pathPrefixes;
    private TimeSpan _statementDelay;
    private TimeSpan _chunkDelay;
    // Per statement: when its first chunk was asked for (chunk i is served i + 1 chunk delays later).
    private readonly Dictionary<string, DateTimeOffset> _chunkStreams = new(StringComparer.Ordinal);
    private string? _slowStatementMatch;
    private TimeSpan? _tokenLifetimeOverride;
    private StatementRule? _failNext;
    private StatementRule? _dropConnectionNext;

    public FaultInjector(FaultOptions? initial = null)
    {
        initial ??= new FaultOptions();
        _random = initial.Seed is { } seed ? new Random(seed) : new Random();
        _throttleRate = initial.ThrottleRate;
        _unavailableRate = initial.UnavailableRate;
        _retryAfterSeconds = initial.RetryAfterSeconds;
        _pathPrefixes = initial.PathPrefixes.ToArray();
        _statementDelay = initial.StatementDelay;
        _chunkDelay = initial.ChunkDelay;
        _tokenLifetimeOverride = initial.TokenLifetimeOverride;
    }

    /// <summary>Share (0..1) of matching requests answered 429 REQUEST_LIMIT_EXCEEDED.</summary>
    public double ThrottleRate { get => Read(() => _throttleRate); set => Write(() => _throttleRate = CheckRate(value)); }

    /// <summary>Share (0..1) of matching requests answered 503 TEMPORARILY_UNAVAILABLE.</summary>
    public double UnavailableRate { get => Read(() => _unavailableRate); set => Write(() => _unavailableRate = CheckRate(value)); }

    public int RetryAfterSeconds { get => Read(() => _retryAfterSeconds); set => Write(() => _retryAfterSeconds = Math.Max(0, value)); }

    /// <summary>Only requests whose path starts with one of these are throttled or made unavailable.</summary>
    public IReadOnlyList<string> PathPrefixes { get => Read(() => _pathPrefixes); set => Write(() => _pathPrefixes = value.ToArray()); }

    /// <summary>Extra time a statement spends RUNNING before the engine is called.</summary>
    public TimeSpan StatementDelay { get => Read(() => _statementDelay); set => Write(() => _statementDelay = value); }

    /// <summary>
    /// A slow result stream: the chunks of a statement are served one per this interval (an INLINE chunk fetch or an
    /// EXTERNAL_LINKS download), however many are fetched at once, as over a slow link; a large result then streams
    /// for a while instead of at once. Only statements matching <see cref="SlowStatementMatch"/> when that is set.
    /// </summary>
    public TimeSpan ChunkDelay { get => Read(() => _chunkDelay); set => Write(() => _chunkDelay = value); }

    /// <summary>When set, only statements containing this text are slowed down.</summary>
    public string? SlowStatementMatch { get => Read(() => _slowStatementMatch); set => Write(() => _slowStatementMatch = value); }

    /// <summary>Overrides the configured OAuth token lifetime for tokens issued from now on.</summary>
    public TimeSpan? TokenLifetimeOverride { get => Read(() => _tokenLifetimeOverride); set => Write(() => _tokenLifetimeOverride = value); }

    public void Reseed(int seed) => Write(() => _random = new Random(seed));

    /// <summary>
    /// The next <paramref name="count"/> statements containing <paramref name="match"/> (after letting the first
    /// <paramref name="skip"/> of them through) fail after <paramref name="failAfter"/> without reaching the engine,
    /// with INTERNAL_ERROR or the given error (e.g. TABLE_OR_VIEW_ALREADY_EXISTS, DELTA_CHANGE_DATA_FILE_NOT_FOUND).
    /// </summary>
    public void FailNextStatements(int count, string match, TimeSpan? failAfter = null, InjectedError? error = null, int skip = 0) =>
        Write(() => _failNext = count > 0 ? new StatementRule(match, count, failAfter ?? TimeSpan.FromMilliseconds(200), error, Math.Max(0, skip)) : null);

    /// <summary>The next <paramref name="count"/> statement POSTs containing <paramref name="match"/> run to completion, then the connection is aborted instead of answered.</summary>
    public void DropConnectionAfterNextStatements(int count, string match) =>
        Write(() => _dropConnectionNext = count > 0 ? new StatementRule(match, count, TimeSpan.Zero) : null);

    public void Reset() => Write(() =>
    {
        _throttleRate = 0;
        _unavailableRate = 0;
        _retryAfterSeconds = 1;
        _pathPrefixes = ["/api/"];
        _statementDelay = TimeSpan.Zero;
        _chunkDelay = TimeSpan.Zero;
        _chunkStreams.Clear();
        _slowStatementMatch = null;
        _tokenLifetimeOverride = null;
        _failNext = null;
        _dropConnectionNext = null;
    });

    public RequestFault NextRequestFault(string path)
    {
        lock (_gate)
        {
            if (_throttleRate <= 0 && _unavailableRate <= 0)
                return RequestFault.None;
            if (!_pathPrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
                return RequestFault.None;
            var roll = _random.NextDouble();
            if (roll < _throttleRate)
                return RequestFault.Throttled;
            return roll < _throttleRate + _unavailableRate ? RequestFault.Unavailable : RequestFault.None;
        }
    }

    public TimeSpan DelayFor(string statement)
    {
        lock (_gate)
            return _slowStatementMatch is null || statement.Contains(_slowStatementMatch, StringComparison.OrdinalIgnoreCase)
                ? _statementDelay
                : TimeSpan.Zero;
    }

    /// <summary>
    /// How long to hold back chunk <paramref name="chunkIndex"/> of statement <paramref name="statementId"/> asked for
    /// at <paramref name="now"/>. The result streams in chunk order at one chunk per <see cref="ChunkDelay"/> from
    /// the statement's first chunk request: chunk i is ready (i + 1) intervals after it, whatever order parallel
    /// downloads ask in. (Slots by arrival order let a reader's chunk 0 come last when eight downloads raced, and
    /// the whole result then arrived at once.)
    /// </summary>
    public TimeSpan ChunkDelayFor(string statementId, string statement, int chunkIndex, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_chunkDelay <= TimeSpan.Zero || (_slowStatementMatch is not null && !statement.Contains(_slowStatementMatch, StringComparison.OrdinalIgnoreCase)))
                return TimeSpan.Zero;
            // A result is read within minutes; older streams are forgotten, so the map stays small.
            foreach (var gone in _chunkStreams.Where(e => e.Value < now - TimeSpan.FromMinutes(30)).Select(e => e.Key).ToList()) _chunkStreams.Remove(gone);
            if (!_chunkStreams.TryGetValue(statementId, out var start)) _chunkStreams[statementId] = start = now;
            var ready = start + _chunkDelay * (chunkIndex + 1);
            return ready > now ? ready - now : TimeSpan.Zero;
        }
    }

    /// <summary>Consumes one injected failure if the statement matches; returns when to fail and with what.</summary>
    public (TimeSpan FailAfter, InjectedError Error)? TakeStatementFailure(string statement)
    {
        lock (_gate)
            return Take(ref _failNext, statement) is { } rule ? (rule.FailAfter, rule.Error ?? InjectedError.Internal) : null;
    }

    public bool TakeConnectionDrop(string statement)
    {
        lock (_gate)
            return Take(ref _dropConnectionNext, statement) is not null;
    }

    private static StatementRule? Take(ref StatementRule? rule, string statement)
    {
        if (rule is null || !statement.Contains(rule.Match, StringComparison.OrdinalIgnoreCase))
            return null;
        if (rule.Skip > 0)
        {
            rule = rule with { Skip = rule.Skip - 1 };
            return null;
        }
        var taken = rule;
        rule = rule.Remaining > 1 ? rule with { Remaining = rule.Remaining - 1 } : null;
        return taken;
    }

    public FaultSettings Snapshot()
    {
        lock (_gate)
            return new FaultSettings
            {
                ThrottleRate = _throttleRate,
                UnavailableRate = _unavailableRate,
                RetryAfterSeconds = _retryAfterSeconds,
                PathPrefixes = _pathPrefixes.ToList(),
                StatementDelayMs = (long)_statementDelay.TotalMilliseconds,
                ChunkDelayMs = (long)_chunkDelay.TotalMilliseconds,
                SlowStatementMatch = _slowStatementMatch,
                TokenLifetimeSeconds = _tokenLifetimeOverride is { } lifetime ? (long)lifetime.TotalSeconds : null,
                FailNextStatements = _failNext is null ? null : new StatementRuleSettings(_failNext.Remaining, _failNext.Match, (long)_failNext.FailAfter.TotalMilliseconds,
                    _failNext.Error?.ErrorClass, _failNext.Error?.SqlState, _failNext.Error?.ErrorCode, _failNext.Skip),
                DropConnectionAfterNextStatements = _dropConnectionNext is null ? null : new StatementRuleSettings(_dropConnectionNext.Remaining, _dropConnectionNext.Match, null),
            };
    }

    /// <summary>Applies the fields present in an admin update; absent fields keep their value.</summary>
    public void Apply(FaultSettings update)
    {
        if (update.Reset == true) Reset();
        if (update.Seed is { } seed) Reseed(seed);
        if (update.ThrottleRate is { } throttle) ThrottleRate = throttle;
        if (update.UnavailableRate is { } unavailable) UnavailableRate = unavailable;
        if (update.RetryAfterSeconds is { } retryAfter) RetryAfterSeconds = retryAfter;
        if (update.PathPrefixes is { } prefixes) PathPrefixes = prefixes;
        if (update.StatementDelayMs is { } delay) StatementDelay = TimeSpan.FromMilliseconds(delay);
        if (update.ChunkDelayMs is { } chunkDelay) ChunkDelay = TimeSpan.FromMilliseconds(chunkDelay);
        if (update.SlowStatementMatch is { } slowMatch) SlowStatementMatch = slowMatch.Length == 0 ? null : slowMatch;
        if (update.TokenLifetimeSeconds is { } lifetime) TokenLifetimeOverride = lifetime <= 0 ? null : TimeSpan.FromSeconds(lifetime);
        if (update.FailNextStatements is { } fail)
            FailNextStatements(fail.Count, fail.Match ?? "", fail.AfterMs is { } after ? TimeSpan.FromMilliseconds(after) : null,
                fail.ErrorClass is { Length: > 0 } errorClass ? new InjectedError(errorClass, fail.SqlState ?? "XX000", fail.ErrorCode ?? "BAD_REQUEST") : null, fail.Skip ?? 0);
        if (update.DropConnectionAfterNextStatements is { } drop)
            DropConnectionAfterNextStatements(drop.Count, drop.Match ?? "");
    }

    private static double CheckRate(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A share must be between 0 and 1");

    private T Read<T>(Func<T> read) { lock (_gate) return read(); }
    private void Write(Action write) { lock (_gate) write(); }
}

/// <summary>Wire form of the fault settings for /emulator/faults (snake_case JSON).</summary>
public sealed class FaultSettings
{
    public bool? Reset { get; set; }
    public int? Seed { get; set; }
    public double? ThrottleRate { get; set; }
    public double? UnavailableRate { get; set; }
    public int? RetryAfterSeconds { get; set; }
    public List<string>? PathPrefixes { get; set; }
    public long? StatementDelayMs { get; set; }
    public long? ChunkDelayMs { get; set; }
    public string? SlowStatementMatch { get; set; }
    public long? TokenLifetimeSeconds { get; set; }
    public StatementRuleSettings? FailNextStatements { get; set; }
    public StatementRuleSettings? DropConnectionAfterNextStatements { get; set; }
}

public sealed record StatementRuleSettings(int Count, string? Match, long? AfterMs,
    string? ErrorClass = null, string? SqlState = null, string? ErrorCode = null, int? Skip = null);

/// <summary>
/// The failure an injected statement fault reports, as a FAILED statement does: status.error.error_code and a
/// message starting "[ERROR_CLASS]" and ending "SQLSTATE: xxxxx" (reference/databricks-api.md §3).
/// </summary>
public sealed record InjectedError(string ErrorClass, string SqlState, string ErrorCode = "BAD_REQUEST")
{
    public static readonly InjectedError Internal = new("INTERNAL_ERROR", "XX000", "INTERNAL_ERROR");
}
