using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbxSync.Emulator.Provisioning;

/// <summary>
/// The one place provisioned secrets leave the process: a file readable only by the current user,
/// consumed by ./dbxsync up and test harnesses.
/// </summary>
public static class CredentialsFile
{
    public sealed record Content(
        [property: JsonPropertyName("host")] string Host,
        [property: JsonPropertyName("client_id")] string ClientId,
        [property: JsonPropertyName("client_secret")] string ClientSecret,
        [property: JsonPropertyName("service_principal_name")] string ServicePrincipalName,
        [property: JsonPropertyName("token")] string Token,
        [property: JsonPropertyName("warehouse_id")] string WarehouseId,
        [property: JsonPropertyName("admin_token")] string? AdminToken);

    public static void Write(string path, Uri baseUrl, EmulatorCredentials credentials, string? adminToken)
    {
        var content = new Content(
            baseUrl.ToString().TrimEnd('/'),
            credentials.DefaultServicePrincipal.ClientId,
            credentials.DefaultServicePrincipal.ClientSecret,
            credentials.DefaultServicePrincipal.DisplayName,
            credentials.DefaultPersonalAccessToken.Token,
            credentials.Warehouse.Id,
            adminToken);

        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temp = fullPath + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, streamOptions))
            JsonSerializer.Serialize(stream, content, new JsonSerializerOptions { WriteIndented = true });
        File.Move(temp, fullPath, overwrite: true);
    }

    public static Content Read(string path) =>
        JsonSerializer.Deserialize<Content>(File.ReadAllText(path)) ?? throw new InvalidDataException("Empty credentials file " + path);
}
