namespace DbxSync.StorageFaults;

/// <summary>
/// Decides, request by request, whether storage answers with an injected error: a share of requests from a seeded
/// generator (the same seed gives the same sequence of decisions), counted by kind so a soak can report its retries.
/// </summary>
public sealed class StorageFaultInjector
{
    private static readonly StorageErrorKind[] Kinds = Enum.GetValues<StorageErrorKind>();
    private readonly object _gate = new();
    private readonly Dictionary<StorageErrorKind, long> _injected = Kinds.ToDictionary(k => k, _ => 0L);
    private Random _random = new();
    private double _errorRate;
    private long _forwarded;

    public double ErrorRate
    {
        get { lock (_gate) return _errorRate; }
        set
        {
            if (value is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(value), value, "A share must be between 0 and 1");
            lock (_gate) _errorRate = value;
        }
    }

    public void Apply(StorageFaultSettings update)
    {
        lock (_gate)
        {
            if (update.Reset == true) _errorRate = 0;
            if (update.Seed is { } seed) _random = new Random(seed);
        }
        if (update.ErrorRate is { } rate) ErrorRate = rate;
    }

    /// <summary>The error to answer this request with, or null to forward it.</summary>
    public StorageErrorKind? Next()
    {
        lock (_gate)
        {
            if (_errorRate > 0 && _random.NextDouble() < _errorRate)
            {
                var kind = Kinds[_random.Next(Kinds.Length)];
                _injected[kind]++;
                return kind;
            }
            _forwarded++;
            return null;
        }
    }

    /// <summary>Requests failed so far by kind, and requests forwarded, since the proxy started.</summary>
    public StorageFaultStats Stats()
    {
        lock (_gate)
            return new StorageFaultStats(_forwarded, _injected.ToDictionary(kv => StorageFaultNames.Of(kv.Key), kv => kv.Value));
    }
}

public sealed record StorageFaultStats(long Forwarded, IReadOnlyDictionary<string, long> Injected);

public static class StorageFaultNames
{
    public static string Of(StorageErrorKind kind) => kind switch
    {
        StorageErrorKind.ServerBusy => "server_busy",
        StorageErrorKind.InternalError => "internal_error",
        _ => "connection_reset",
    };
}
