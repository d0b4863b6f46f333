using System.Globalization;
using Azure;
using Azure.Core;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Blob lease operations. A lease is the building block of the cross-instance sync lock.</summary>
public sealed class BlobLeaseClient
{
    public static readonly TimeSpan InfiniteDuration = Timeout.InfiniteTimeSpan;

    private readonly BlobClient _blob;

    internal BlobLeaseClient(BlobClient blob, string? leaseId)
    {
        _blob = blob;
        LeaseId = leaseId ?? Guid.NewGuid().ToString();
    }

    /// <summary>Proposed on acquire, then the id the service granted.</summary>
    public string LeaseId { get; private set; }

    /// <summary>Duration is 15-60 s or <see cref="InfiniteDuration"/>. 409 LeaseAlreadyPresent when someone else holds it.</summary>
    public async Task<Response<BlobLease>> AcquireAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var seconds = duration == InfiniteDuration ? -1 : (int)duration.TotalSeconds;
        if (seconds != -1 && seconds is < 15 or > 60)
            throw new ArgumentOutOfRangeException(nameof(duration), "A lease lasts 15 to 60 seconds, or is infinite.");
        var response = await SendAsync("acquire", cancellationToken, request =>
        {
            request.Headers.SetValue("x-ms-lease-duration", seconds.ToString(CultureInfo.InvariantCulture));
            request.Headers.SetValue("x-ms-proposed-lease-id", LeaseId);
        }).ConfigureAwait(false);
        return Lease(response);
    }

    public async Task<Response<BlobLease>> RenewAsync(CancellationToken cancellationToken = default) =>
        Lease(await SendAsync("renew", cancellationToken, r => r.Headers.SetValue("x-ms-lease-id", LeaseId)).ConfigureAwait(false));

    public async Task<Response> ReleaseAsync(CancellationToken cancellationToken = default) =>
        await SendAsync("release", cancellationToken, r => r.Headers.SetValue("x-ms-lease-id", LeaseId)).ConfigureAwait(false);

    public async Task<Response<BlobLease>> ChangeAsync(string proposedLeaseId, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync("change", cancellationToken, r =>
        {
            r.Headers.SetValue("x-ms-lease-id", LeaseId);
            r.Headers.SetValue("x-ms-proposed-lease-id", proposedLeaseId);
        }).ConfigureAwait(false);
        return Lease(response);
    }

    /// <summary>Ends anyone's lease, after <paramref name="breakPeriod"/> (0-60 s; null lets the service decide).</summary>
    public async Task<Response> BreakAsync(TimeSpan? breakPeriod = null, CancellationToken cancellationToken = default) =>
        await SendAsync("break", cancellationToken, r =>
        {
            if (breakPeriod is { } period)
                r.Headers.SetValue("x-ms-lease-break-period", ((int)period.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }).ConfigureAwait(false);

    private Response<BlobLease> Lease(Response response)
    {
        if (BlobHeaders.Read(response, "x-ms-lease-id") is { } granted)
            LeaseId = granted;
        return Response.FromValue(new BlobLease(LeaseId, BlobHeaders.ReadETag(response), BlobHeaders.ReadDate(response, "Last-Modified")), response);
    }

    private async Task<Response> SendAsync(string action, CancellationToken cancellationToken, Action<Request> configure)
    {
        using var message = _blob.Pipeline.CreateMessage(RequestMethod.Put, new Uri(_blob.Uri + "?comp=lease"));
        message.Request.Headers.SetValue("x-ms-lease-action", action);
        configure(message.Request);
        return await _blob.Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
