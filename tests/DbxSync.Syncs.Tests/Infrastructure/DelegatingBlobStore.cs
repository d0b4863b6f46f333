using DbxSync.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>The app's own IBlobStore, passed through; a test double overrides only the calls it intercepts.</summary>
public abstract class DelegatingBlobStore(IBlobStore inner) : IBlobStore
{
    protected IBlobStore Inner => inner;

    /// <summary>Replaces the registered IBlobStore with <paramref name="wrap"/> around it (also resolvable as <typeparamref name="T"/>).</summary>
    public static void Wrap<T>(IServiceCollection services, Func<IBlobStore, T> wrap) where T : DelegatingBlobStore
    {
        var original = services.Last(d => d.ServiceType == typeof(IBlobStore));
        services.Remove(original);
        services.AddSingleton(sp => wrap(original.ImplementationInstance as IBlobStore
            ?? (original.ImplementationFactory is { } factory ? (IBlobStore)factory(sp) : (IBlobStore)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!))));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<T>());
    }

    public virtual Task EnsureContainerAsync(string container, CancellationToken cancellationToken = default) => inner.EnsureContainerAsync(container, cancellationToken);
    public virtual Task<BlobItem?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(container, name, cancellationToken);
    public virtual Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) => inner.OpenReadAsync(container, name, ifMatch, cancellationToken);
    public virtual Task<BlobItem> UploadAsync(string container, string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) => inner.UploadAsync(container, name, content, options, cancellationToken);
    public virtual Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) => inner.OpenWriteAsync(container, name, options, cancellationToken);
    public virtual IAsyncEnumerable<BlobItem> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(container, prefix, cancellationToken);
    public virtual Task<bool> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) => inner.DeleteAsync(container, name, ifMatch, cancellationToken);
    public virtual Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, string? sourceIfMatch, CancellationToken cancellationToken = default)
        => inner.CopyAsync(sourceContainer, sourceName, targetContainer, targetName, sourceIfMatch, cancellationToken);
    public virtual Task<BlobReadUrl> GetReadUrlAsync(string container, string name, TimeSpan validFor, CancellationToken cancellationToken = default) => inner.GetReadUrlAsync(container, name, validFor, cancellationToken);
}
