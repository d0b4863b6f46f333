using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbxSync.Azure.Storage.Blobs;
using DbxSync.Azure.Storage.Tables;
using DbxSync.Testing;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

/// <summary>Our client and Azure's official JS SDKs read each other's blobs and entities.</summary>
public class InteropTests
{
    [Fact]
    public async Task Js_sdks_read_what_we_write_and_we_read_what_they_write()
    {
        var containerName = AzuriteClients.ContainerName();
        var tableName = AzuriteClients.TableName();
        var container = AzuriteClients.Factory.Blobs.GetBlobContainerClient(containerName);
        await container.CreateAsync();
        var table = AzuriteClients.Factory.Tables.GetTableClient(tableName);
        await table.CreateAsync();

        var data = new byte[3 * 1024 * 1024 + 5];
        Random.Shared.NextBytes(data);
        var options = new DbxSync.Azure.Storage.StorageClientOptions { BlockSize = 1024 * 1024 };
        await new BlobServiceClient(AzuriteClients.ConnectionString, options).GetBlobContainerClient(containerName).GetBlobClient("from-dotnet.bin")
            .UploadAsync(new MemoryStream(data), new BlobUploadOptions { ContentType = "application/octet-stream", Metadata = new Dictionary<string, string> { ["origin"] = "dotnet" } });
        await table.AddEntityAsync(new TableEntity("dotnet", "row 1")
        {
            ["Text"] = "ü 'quoted'",
            ["Int32"] = 7,
            ["Int64"] = 9_007_199_254_740_993L,
            ["Double"] = 1.0,
            ["Flag"] = false,
            ["When"] = new DateTimeOffset(2026, 5, 6, 7, 8, 9, 123, TimeSpan.Zero),
            ["Id"] = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            ["Bytes"] = new byte[] { 9, 8, 7 },
        });

        using var verified = JsonDocument.Parse(await RunNodeAsync("verify", containerName, tableName));
        var blob = verified.RootElement.GetProperty("blob");
        Assert.Equal(data.Length, blob.GetProperty("length").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), blob.GetProperty("sha256").GetString());
        Assert.Equal("dotnet", blob.GetProperty("metadata").GetProperty("origin").GetString());
        var entity = verified.RootElement.GetProperty("entity");
        // With disableTypeConversion the JS SDK reports every value as {value, type} as it came off the wire.
        string Value(string name) => entity.GetProperty(name) is { ValueKind: JsonValueKind.Object } typed
            ? typed.GetProperty("value").ToString()
            : entity.GetProperty(name).ToString();
        Assert.Equal("ü 'quoted'", Value("Text"));
        Assert.Equal("7", Value("Int32"));
        Assert.Equal("false", Value("Flag").ToLowerInvariant());
        Assert.Equal("Int64", entity.GetProperty("Int64").GetProperty("type").GetString());
        Assert.Equal("9007199254740993", entity.GetProperty("Int64").GetProperty("value").GetString());
        // Azurite sends 1.0 without an annotation and JSON.parse drops the ".0", so the JS SDK can only see a number 1.
        Assert.Equal(1.0, double.Parse(Value("Double"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("DateTime", entity.GetProperty("When").GetProperty("type").GetString());
        Assert.StartsWith("2026-05-06T07:08:09.123", entity.GetProperty("When").GetProperty("value").GetString());
        Assert.Equal("Guid", entity.GetProperty("Id").GetProperty("type").GetString());
        Assert.Equal("Binary", entity.GetProperty("Bytes").GetProperty("type").GetString());
        Assert.Equal(Convert.ToBase64String([9, 8, 7]), entity.GetProperty("Bytes").GetProperty("value").GetString());

        using var written = JsonDocument.Parse(await RunNodeAsync("write", containerName, tableName));
        var jsBlob = container.GetBlobClient("from-js.txt");
        await using (var read = await jsBlob.OpenReadAsync())
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(written.RootElement.GetProperty("blobSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(copy.ToArray())));
            Assert.Equal("hello from the js sdk, ünïcode included\n", Encoding.UTF8.GetString(copy.ToArray()));
        }
        Assert.Equal("js", (await jsBlob.GetPropertiesAsync()).Value.Metadata["origin"]);

        var jsEntity = (await table.GetEntityAsync("js", "row 'quoted'")).Value;
        Assert.Equal("ünïcode", jsEntity["Text"]);
        Assert.Equal(42, jsEntity["Int32"]);
        Assert.Equal(9_007_199_254_740_993L, jsEntity["Int64"]);
        Assert.Equal(1.0, Assert.IsType<double>(jsEntity["Double"]));
        Assert.Equal(true, jsEntity["Flag"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), jsEntity["When"]);
        Assert.Equal(Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"), jsEntity["Id"]);
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, jsEntity["Bytes"]);
    }

    private static async Task<string> RunNodeAsync(string mode, string container, string table)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(RepoPaths.Combine("tests", "interop", "storage-interop.mjs"));
        startInfo.ArgumentList.Add(mode);
        startInfo.Environment["STORAGE_CONNECTION_STRING"] = AzuriteClients.ConnectionString;
        startInfo.Environment["INTEROP_CONTAINER"] = container;
        startInfo.Environment["INTEROP_TABLE"] = table;
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node {mode} failed: {await stderr}");
        return await stdout;
    }
}
