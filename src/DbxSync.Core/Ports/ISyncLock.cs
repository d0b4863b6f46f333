namespace DbxSync.Core.Ports;

/// <summary>A lock held across instances (a renewed blob lease). Disposing releases it.</summary>
public interface ISyncLease : IAsyncDisposable
{
    /// <summary>Cancelled when the lease could not be renewed and is no longer safely held.</summary>
    CancellationToken LeaseLost { get; }
}

public interface ISyncLock
{
    /// <summary>Returns null when another holder has the lock.</summary>
    Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default);
}
