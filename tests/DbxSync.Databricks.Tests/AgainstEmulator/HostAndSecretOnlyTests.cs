using DbxSync.Testing;
using System.Security.Cryptography;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Adapters;
using DbxSync.Emulator;

namespace DbxSync.Databricks.Tests.AgainstEmulator;

/// <summary>
/// Issue 14's acceptance run with our own client: knowing only the host, a client id and a secret, it authenticates
/// (host metadata, OIDC discovery, token), uploads a 60 MiB file and a stream of unknown size (multipart, presigned
/// parts) and downloads them, and the emulator answers no request with an error. Its own emulator instance, so the
/// failed-request count is this test's alone.
/// </summary>
public sealed class HostAndSecretOnlyTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dbxsync-client-acceptance-" + Guid.NewGuid().ToString("N"));
    private readonly string _localFile = Path.GetTempFileName();
    private EmulatorHandle _emulator = null!;

    public async Task InitializeAsync() =>
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, DataDirectory = _dataDirectory });

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        File.Delete(_localFile);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Host_and_client_secret_suffice_to_upload_60_mib_and_a_stream_and_download_without_a_failed_request()
    {
        var host = _emulator.BaseUrl.ToString().TrimEnd('/');
        using var connector = new DatabricksConnector(new DatabricksClientOptions { AllowedWorkspaceHosts = [host] });
        var setup = connector.Connect(new WorkspaceCredentials(host, WorkspaceAuthType.PersonalAccessToken, null, _emulator.PersonalAccessToken, "setup"));
        foreach (var sql in new[] { "CREATE CATALOG IF NOT EXISTS acceptance", "CREATE SCHEMA IF NOT EXISTS acceptance.files", "CREATE VOLUME IF NOT EXISTS acceptance.files.landing" })
            await setup.ExecuteAsync(sql, options: new StatementOptions { WarehouseId = _emulator.WarehouseId, IsWrite = true });
        _emulator.Stats.Reset();

        var ws = connector.Connect(new WorkspaceCredentials(host, WorkspaceAuthType.OAuthM2M, _emulator.ClientId, _emulator.ClientSecret, "sp"));
        await ws.VerifyCredentialsAsync();

        var file = RandomNumberGenerator.GetBytes(60 * MiB);
        await File.WriteAllBytesAsync(_localFile, file);
        await using (var source = File.OpenRead(_localFile))
            await ws.UploadFileAsync("/Volumes/acceptance/files/landing/big.bin", source);

        var streamed = RandomNumberGenerator.GetBytes(25 * MiB + 7);
        await ws.UploadFileAsync("/Volumes/acceptance/files/landing/streamed.bin", new NonSeekableStream(streamed));

        Assert.Equal(SHA256.HashData(file), await DownloadHashAsync(ws, "/Volumes/acceptance/files/landing/big.bin"));
        Assert.Equal(SHA256.HashData(streamed), await DownloadHashAsync(ws, "/Volumes/acceptance/files/landing/streamed.bin"));

        Assert.Empty(_emulator.Stats.FailedRequests);
        var routes = _emulator.Stats.RequestsByRoute;
        Assert.Equal(1, routes["GET /.well-known/databricks-config"]);
        Assert.Equal(1, routes["POST /oidc/v1/token"]);
        Assert.Equal(6 + 3, routes["PUT /presigned/upload-parts/{uploadId}/{partNumber:int}"]);
        Assert.False(routes.ContainsKey("PUT /api/2.0/fs/files/{**path}"), "both uploads went in parts");
    }

    private static async Task<byte[]> DownloadHashAsync(IDatabricksWorkspace ws, string path)
    {
        await using var download = await ws.DownloadFileAsync(path);
        return await SHA256.HashDataAsync(download);
    }
}
