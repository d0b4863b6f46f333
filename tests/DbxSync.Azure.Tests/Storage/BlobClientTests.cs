using System.Text;
using Azure;
using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Blobs;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class BlobClientTests
{
    private static async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = AzuriteClients.Factory.Blobs.GetBlobContainerClient(AzuriteClients.ContainerName());
        Assert.True((await container.CreateIfNotExistsAsync()).Value);
        return container;
    }

    private static async Task<string> ReadAllAsync(BlobClient blob)
    {
        await using var stream = await blob.OpenReadAsync();
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Create_container_is_idempotent_when_asked()
    {
        var container = await NewContainerAsync();
        Assert.False((await container.CreateIfNotExistsAsync()).Value);
        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => container.CreateAsync());
        Assert.Equal(409, error.Status);
        Assert.Equal("ContainerAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task Put_get_properties_metadata_and_delete()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("dir x/f+1 ü%.csv");
        var put = await blob.UploadAsync(new MemoryStream("a,b\n1,2\n"u8.ToArray()), new BlobUploadOptions
        {
            ContentType = "text/csv",
            Metadata = new Dictionary<string, string> { ["label"] = "customers" },
        });
        Assert.StartsWith("\"", put.Value.ETag.ToString());

        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(8, properties.ContentLength);
        Assert.Equal("text/csv", properties.ContentType);
        Assert.Equal("customers", properties.Metadata["label"]);
        Assert.Equal(put.Value.ETag, properties.ETag);
        Assert.Equal("a,b\n1,2\n", await ReadAllAsync(blob));

        await blob.SetMetadataAsync(new Dictionary<string, string> { ["label"] = "changed" });
        Assert.Equal("changed", (await blob.GetPropertiesAsync()).Value.Metadata["label"]);

        Assert.True((await blob.DeleteIfExistsAsync()).Value);
        Assert.False((await blob.DeleteIfExistsAsync()).Value);
        var missing = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.GetPropertiesAsync());
        Assert.Equal(404, missing.Status);
        Assert.Equal("BlobNotFound", missing.ErrorCode); // HEAD has no body: the code comes from x-ms-error-code
    }

    [Fact]
    public async Task Empty_blob_reads_as_empty_without_a_range_request()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("empty");
        await blob.UploadAsync(Stream.Null);
        Assert.Equal("", await ReadAllAsync(blob));
    }

    [Fact]
    public async Task Multi_block_upload_and_ranged_download_of_odd_sizes()
    {
        var options = new StorageClientOptions { BlockSize = 64 * 1024, DownloadChunkSize = 50_000 };
        var client = new BlobServiceClient(AzuriteClients.ConnectionString, options).GetBlobContainerClient(AzuriteClients.ContainerName());
        await client.CreateAsync();
        var data = new byte[64 * 1024 * 3 + 17];
        Random.Shared.NextBytes(data);
        var blob = client.GetBlobClient("multi");

        await blob.UploadAsync(new MemoryStream(data));

        await using var read = await blob.OpenReadAsync();
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Stale_if_match_fails_with_412_and_create_only_with_409()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("etag.txt");
        var first = await blob.UploadAsync(new MemoryStream("v1"u8.ToArray()));
        var second = await blob.UploadAsync(new MemoryStream("v2"u8.ToArray()), new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfMatch = first.Value.ETag },
        });

        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.UploadAsync(new MemoryStream("v3"u8.ToArray()), new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfMatch = first.Value.ETag },
        }));
        Assert.Equal(412, stale.Status);
        Assert.True(stale.IsConditionFailed);

        var exists = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.UploadAsync(new MemoryStream("v4"u8.ToArray()), new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }));
        Assert.Equal(409, exists.Status);
        Assert.Equal("BlobAlreadyExists", exists.ErrorCode);
        Assert.True(exists.IsAlreadyExists);
        Assert.Equal("v2", await ReadAllAsync(blob));
        Assert.NotEqual(first.Value.ETag, second.Value.ETag);
    }

    [Fact]
    public async Task Listing_etags_are_normalised_to_the_header_form()
    {
        var container = await NewContainerAsync();
        var put = await container.GetBlobClient("a").UploadAsync(new MemoryStream("x"u8.ToArray()));
        var listed = await container.GetBlobsAsync().SingleAsync();
        Assert.Equal(put.Value.ETag, listed.ETag);
        Assert.Equal(StorageETag.Unquote(put.Value.ETag), StorageETag.Unquote(listed.ETag));
    }

    [Fact]
    public async Task Listing_with_a_delimiter_returns_virtual_folders()
    {
        var container = await NewContainerAsync();
        foreach (var name in new[] { "top.csv", "dir x/a.csv", "dir x/b.csv", "other/c.csv" })
            await container.GetBlobClient(name).UploadAsync(new MemoryStream([1]));
        var page = (await container.ListBlobsPageAsync(new BlobListOptions { Delimiter = "/" }, null)).Value;
        Assert.Equal(["top.csv"], page.Blobs.Select(b => b.Name));
        Assert.Equal(["dir x/", "other/"], page.Prefixes);
        var underDir = await container.GetBlobsAsync(new BlobListOptions { Prefix = "dir x/" }).Select(b => b.Name).ToListAsync();
        Assert.Equal(["dir x/a.csv", "dir x/b.csv"], underDir);
    }

    [Fact]
    public async Task Copy_within_the_account_keeps_content_and_metadata()
    {
        var container = await NewContainerAsync();
        var source = container.GetBlobClient("source.csv");
        await source.UploadAsync(new MemoryStream("copy me"u8.ToArray()), new BlobUploadOptions
        {
            ContentType = "text/csv",
            Metadata = new Dictionary<string, string> { ["origin"] = "test" },
        });
        var target = container.GetBlobClient("nested/target.csv");

        var copy = await target.CopyFromBlobAsync(source);

        Assert.Equal("success", copy.Value.CopyStatus);
        Assert.Equal("copy me", await ReadAllAsync(target));
        var properties = (await target.GetPropertiesAsync()).Value;
        Assert.Equal("test", properties.Metadata["origin"]);
        Assert.Equal("text/csv", properties.ContentType);
    }

    [Fact]
    public async Task Lease_blocks_other_writers_until_released()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("leased");
        await blob.UploadAsync(new MemoryStream("x"u8.ToArray()));
        var holder = blob.GetLeaseClient();
        var proposed = holder.LeaseId;
        var lease = await holder.AcquireAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(proposed, lease.Value.LeaseId);

        var second = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.GetLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal("LeaseAlreadyPresent", second.ErrorCode);
        var write = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.UploadAsync(new MemoryStream("y"u8.ToArray())));
        Assert.Equal(412, write.Status);
        Assert.True(write.IsLeaseConflict);
        var delete = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.DeleteAsync());
        Assert.Equal("LeaseIdMissing", delete.ErrorCode);

        await blob.UploadAsync(new MemoryStream("y"u8.ToArray()), new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = lease.Value.LeaseId } });
        await holder.RenewAsync();
        await holder.ReleaseAsync();

        var next = await blob.GetLeaseClient().AcquireAsync(BlobLeaseClient.InfiniteDuration);
        await blob.GetLeaseClient().BreakAsync(TimeSpan.Zero);
        await blob.DeleteAsync();
        Assert.NotEqual(lease.Value.LeaseId, next.Value.LeaseId);
    }

    [Fact]
    public async Task Errors_carry_status_and_code_but_no_key()
    {
        var wrongKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely-not-the-azurite-key-0123456789"));
        var parsed = StorageConnectionString.Parse(AzuriteClients.ConnectionString);
        var client = new BlobServiceClient(parsed.BlobEndpoint, new StorageSharedKeyCredential(parsed.AccountName, wrongKey));

        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => client.GetBlobContainerClient("anything").CreateAsync());

        Assert.Equal(403, error.Status);
        Assert.Contains(error.ErrorCode, new[] { "AuthenticationFailed", "AuthorizationFailure" });
        Assert.DoesNotContain(wrongKey, error.ToString());
        Assert.DoesNotContain(StorageConnectionString.DevelopmentAccountKey, error.ToString());
    }
}
