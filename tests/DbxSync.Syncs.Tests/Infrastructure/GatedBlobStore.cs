using DbxSync.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>
/// The real blob store, with a gate a test can close in front of the next write to one container: the run pauses
/// there (after its queries, before its file) until the test opens it, so the test can act mid-run.
/// </summary>
public sealed class GatedBlobStore(IBlobStore inner) : DelegatingBlobStore(inner)
{
    private TaskCompletionSource? _reached;
    private TaskCompletionSource? _release;
    private string? _container;

    /// <summary>Replaces the registered IBlobStore with a gated wrapper around it.</summary>
    public static void Register(IServiceCollection services) => Wrap(services, inner => new GatedBlobStore(inner));

    /// <summary>Holds the next OpenWrite in <paramref name="container"/>; the task completes when a write reaches the gate.</summary>
    public Task CloseBefore(string container)
    {
        _container = container;
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _reached.Task;
    }

    public void Open() => _release?.TrySetResult();

    public override async Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (container == _container && _release is { } release)
        {
            _container = null;
            _reached!.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        }
        return await Inner.OpenWriteAsync(container, name, options, cancellationToken);
    }
}
