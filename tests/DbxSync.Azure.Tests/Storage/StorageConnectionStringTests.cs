using DbxSync.Azure.Storage;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class StorageConnectionStringTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Account_form_builds_azure_endpoints_from_protocol_name_and_suffix()
    {
        var parsed = StorageConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("acct", parsed.AccountName);
        Assert.Equal(new Uri("https://acct.blob.core.chinacloudapi.cn"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.chinacloudapi.cn"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.chinacloudapi.cn"), parsed.TableEndpoint);
        Assert.NotNull(parsed.Credential);
    }

    [Fact]
    public void Suffix_defaults_to_core_windows_net()
    {
        var parsed = StorageConnectionString.Parse($"AccountName=acct;AccountKey={Key}");
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), parsed.BlobEndpoint);
    }

    [Fact]
    public void Explicit_endpoints_win_over_the_account_form()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:1234/devstoreaccount1;TableEndpoint=http://127.0.0.1:1236/devstoreaccount1/");

        Assert.Equal(new Uri("http://127.0.0.1:1234/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:1236/devstoreaccount1"), parsed.TableEndpoint);
        Assert.Equal(new Uri("http://devstoreaccount1.queue.core.windows.net"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Development_storage_expands_to_azurite_defaults()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), parsed.TableEndpoint);
        Assert.Equal("devstoreaccount1", parsed.Credential!.AccountName);
    }

    [Fact]
    public void Development_storage_proxy_replaces_the_host()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite.local");
        Assert.Equal(new Uri("http://azurite.local:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://azurite.local:10002/devstoreaccount1"), parsed.TableEndpoint);
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("garbage")]
    [InlineData("AccountName=acct;AccountKey=not base64!!")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=AAAA")]
    public void Invalid_strings_are_rejected(string connectionString)
    {
        Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));
    }

    [Fact]
    public void Key_never_appears_in_ToString_or_errors()
    {
        var parsed = StorageConnectionString.Parse($"AccountName=acct;AccountKey={Key}");
        Assert.DoesNotContain(Key, parsed.ToString());
        Assert.DoesNotContain(Key, parsed.Credential!.ToString());

        var badKey = "c2VjcmV0!!not-base64";
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse($"AccountName=acct;AccountKey={badKey}"));
        Assert.DoesNotContain(badKey, error.Message);
    }
}
