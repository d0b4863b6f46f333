using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Adapters;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

public class WorkspaceUrlValidatorTests
{
    private static readonly string[] Allowed = ["http://127.0.0.1:8080", "127.0.0.1:9090", "dbx.internal.example:8443"];

    [Theory]
    [InlineData("https://adb-1234567890123456.7.azuredatabricks.net", "https://adb-1234567890123456.7.azuredatabricks.net/")]
    [InlineData("https://adb-1234567890123456.7.azuredatabricks.net/", "https://adb-1234567890123456.7.azuredatabricks.net/")]
    [InlineData("https://ADB-1.AzureDatabricks.NET", "https://adb-1.azuredatabricks.net/")]
    [InlineData("https://dbc-a1b2c3d4-e5f6.cloud.databricks.com", "https://dbc-a1b2c3d4-e5f6.cloud.databricks.com/")]
    [InlineData("https://123.4.gcp.databricks.com", "https://123.4.gcp.databricks.com/")]
    [InlineData("https://dbc-1.cloud.databricks.us", "https://dbc-1.cloud.databricks.us/")]
    [InlineData("https://adb-1.2.azuredatabricks.us", "https://adb-1.2.azuredatabricks.us/")]
    [InlineData("https://adb-1.2.databricks.azure.us", "https://adb-1.2.databricks.azure.us/")]
    [InlineData("https://adb-1.2.databricks.azure.cn", "https://adb-1.2.databricks.azure.cn/")]
    [InlineData("https://adb-1.2.azuredatabricks.cn", "https://adb-1.2.azuredatabricks.cn/")]
    [InlineData("https://adb-1.azuredatabricks.net:443", "https://adb-1.azuredatabricks.net/")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://127.0.0.1:9090/", "http://127.0.0.1:9090/")]
    [InlineData("https://127.0.0.1:9090", "https://127.0.0.1:9090/")]
    [InlineData("https://dbx.internal.example:8443", "https://dbx.internal.example:8443/")]
    public void Accepts_and_normalises(string url, string expected)
    {
        var validator = new WorkspaceUrlValidator(Allowed);
        Assert.Equal(expected, validator.Validate(url).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("adb-1.azuredatabricks.net")]
    [InlineData("http://adb-1.azuredatabricks.net")]
    [InlineData("ftp://adb-1.azuredatabricks.net")]
    [InlineData("https://user:pw@adb-1.azuredatabricks.net")]
    [InlineData("https://adb-1.azuredatabricks.net@evil.com")]
    [InlineData("https://evil.com#@adb-1.azuredatabricks.net")]
    [InlineData("https://adb-1.azuredatabricks.net/?x=1")]
    [InlineData("https://adb-1.azuredatabricks.net/#frag")]
    [InlineData("https://adb-1.azuredatabricks.net/api/2.0")]
    [InlineData("https://adb-1.azuredatabricks.net/..")]
    [InlineData("https://azuredatabricks.net")]
    [InlineData("https://cloud.databricks.com")]
    [InlineData("https://databricks.com")]
    [InlineData("https://dbc-1.databricks.com")]
    [InlineData("https://evil-azuredatabricks.net")]
    [InlineData("https://xazuredatabricks.net")]
    [InlineData("https://azuredatabricks.net.evil.com")]
    [InlineData("https://adb-1.azuredatabricks.net.evil.com")]
    [InlineData("https://adb-1.azuredatabricks.net.")]
    [InlineData("https://adb-1.azuredatabricks.net:8443")]
    [InlineData("https://example.com")]
    [InlineData("https://127.0.0.1")]
    [InlineData("https://10.0.0.5")]
    [InlineData("https://[::1]")]
    [InlineData("https://[::1]:8080")]
    [InlineData("https://2130706433")]
    [InlineData("http://2130706433:8080")]
    [InlineData("http://0x7f.0.0.1:8080")]
    [InlineData("http://127.1:8080")]
    [InlineData("https://169.254.169.254")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("https://metadata.google.internal")]
    [InlineData("https://localhost")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://127.0.0.1:8081")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://dbx.internal.example:8443")]
    [InlineData("https://adb-1.аzuredatabricks.net")]
    [InlineData("https://adb-1.xn--zuredatabricks-4ri.net")]
    [InlineData("https://xn--adb-1-xyz.azuredatabricks.net")]
    [InlineData("https://adb 1.azuredatabricks.net")]
    [InlineData("https://adb-1.azuredatabricks.net\\@evil.com")]
    [InlineData("https://-adb.azuredatabricks.net")]
    public void Rejects(string url)
    {
        var validator = new WorkspaceUrlValidator(Allowed);
        var e = Assert.Throws<DatabricksRequestFailedException>(() => validator.Validate(url));
        Assert.Equal(WorkspaceErrorKind.InvalidWorkspaceUrl, e.Kind);
    }

    [Theory]
    [InlineData("https://user:pw@adb-1.azuredatabricks.net")]
    [InlineData("https://evil-azuredatabricks.net")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://169.254.169.254")]
    [InlineData("https://localhost")]
    public async Task Rejected_urls_send_nothing(string url)
    {
        var transport = new CountingHandler();
        using var connector = new DatabricksConnector(new DatabricksClientOptions { HttpMessageHandlerFactory = () => transport });
        var credentials = new WorkspaceCredentials(url, WorkspaceAuthType.OAuthM2M, "client", "secret-value", "key");

        var e = Assert.Throws<WorkspaceException>(() => connector.Connect(credentials));
        Assert.Equal(WorkspaceErrorKind.InvalidWorkspaceUrl, e.Kind);
        Assert.Throws<WorkspaceException>(() => connector.ValidateWorkspaceUrl(url));
        await Task.Yield();
        Assert.Equal(0, transport.Count);
        Assert.DoesNotContain("secret-value", e.Message);
        Assert.DoesNotContain("pw", e.Message.Replace("path", ""));
    }

    [Fact]
    public void Allowed_hosts_come_from_the_setting()
    {
        var hosts = DatabricksClientOptions.ParseHostList(" http://127.0.0.1:8080 , ,dbx.local:9000");
        Assert.Equal(["http://127.0.0.1:8080", "dbx.local:9000"], hosts);
    }
}
