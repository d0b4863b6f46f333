using DbxSync.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>
/// The real blob store, with a gate a test can close in front of the next write to one container: the run pauses
/// there (after its queries, before its file) until the test opens it, so the test can act mid-run.
/// </summary>
public sealed class GatedBlobStore(IBlobStore inner) : IBlobStore
{
    private TaskCompletionSource? _reached;
    private TaskCompletionSource? _release;
    private string? _container;

    /// <summary>Replaces the registered IBlobStore with a gated wrapper around it.</summary>
    public static void Register(IServiceCollection services)
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(IBlobStore));
        services.Remove(descriptor);
        services.AddSingleton(sp => new GatedBlobStore((IBlobStore)descriptor.ImplementationFactory!(sp)));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<GatedBlobStore>());
    }

    /// <summary>Holds the next OpenWrite in <paramref name="container"/>; the task completes when a write reaches the gate.</summary>
    public Task CloseBefore(string container)
    {
        _container = container;
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _reached.Task;
    }

    public void Open() => _release?.TrySetResult();

    public async Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (container == _container && _release is { } release)
        {
            _container = null;
            _reached!.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        }
        return await inner.OpenWriteAsync(container, name, options, cancellationToken);
    }

    public Task EnsureContainerAsync(string container, CancellationToken cancellationToken = default) => inner.EnsureContainerAsync(container, cancellationToken);
    public Task<BlobItem?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(container, name, cancellationToken);
    public Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) => inner.OpenReadAsync(container, name, ifMatch, cancellationToken);
    public Task<BlobItem> UploadAsync(string container, string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) => inner.UploadAsync(container, name, content, options, cancellationToken);
    public IAsyncEnumerable<BlobItem> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(container, prefix, cancellationToken);
    public Task<bool> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) => inner.DeleteAsync(container, name, ifMatch, cancellationToken);
    public Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, string? sourceIfMatch, CancellationToken cancellationToken = default)
        => inner.CopyAsync(sourceContainer, sourceName, targetContainer, targetName, sourceIfMatch, cancellationToken);
}
