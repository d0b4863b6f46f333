using DbxSync.Azure.Storage;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class SharedKeySigningTests
{
    private static readonly StorageSharedKeyCredential DevCredential = new("devstoreaccount1", StorageConnectionString.DevelopmentAccountKey);

    [Fact]
    public void Blob_string_to_sign_matches_the_reference_layout_for_a_path_style_url()
    {
        var uri = new Uri("http://127.0.0.1:10000/devstoreaccount1/incoming/dir%20x/f%2B1.csv?comp=block&blockid=QUJD%3D");
        var headers = new List<KeyValuePair<string, string>>
        {
            new("x-ms-version", "2025-11-05"),
            new("Content-Type", "text/csv"),
            new("x-ms-date", "Sat, 21 Nov 2026 18:19:00 GMT"),
            new("If-Match", "\"0x1\""),
            new("x-ms-meta-label", " customers "),
            new("x-ms-blob-type", "BlockBlob"),
            new("User-Agent", "ignored"),
        };

        var stringToSign = SharedKeyBlobQueuePolicy.BuildStringToSign("PUT", uri, headers, 11, "devstoreaccount1");

        var expected =
            "PUT\n\n\n11\n\ntext/csv\n\n\n\"0x1\"\n\n\n\n" +
            "x-ms-blob-type:BlockBlob\nx-ms-date:Sat, 21 Nov 2026 18:19:00 GMT\nx-ms-meta-label:customers\nx-ms-version:2025-11-05\n" +
            "/devstoreaccount1/devstoreaccount1/incoming/dir%20x/f%2B1.csv\nblockid:QUJD=\ncomp:block";
        Assert.Equal(expected, stringToSign);
        // Computed independently (Python hmac) from the published emulator key.
        Assert.Equal("dnihk4JhtwREi1Cp52rm0KWsPhTYAx0oMVUdIlQXjgE=", DevCredential.ComputeSignature(stringToSign));
    }

    [Fact]
    public void Zero_length_body_signs_an_empty_content_length()
    {
        var stringToSign = SharedKeyBlobQueuePolicy.BuildStringToSign("put", new Uri("http://h/acct/c?restype=container"), [], 0, "acct");
        Assert.StartsWith("PUT\n\n\n\n", stringToSign);
        Assert.EndsWith("/acct/acct/c\nrestype:container", stringToSign);
    }

    [Fact]
    public void Table_shared_key_lite_signs_date_and_resource_only()
    {
        var uri = new Uri("http://127.0.0.1:10002/devstoreaccount1/syncstate(PartitionKey=%27p%27,RowKey=%27r1%27)?$select=A");
        var stringToSign = SharedKeyLiteTablePolicy.BuildStringToSign("Sat, 21 Nov 2026 18:19:00 GMT", uri, "devstoreaccount1");

        Assert.Equal("Sat, 21 Nov 2026 18:19:00 GMT\n/devstoreaccount1/devstoreaccount1/syncstate(PartitionKey=%27p%27,RowKey=%27r1%27)", stringToSign);
        Assert.Equal("sQ5UT2MoZYiuc3d++bE+5jgl4jrxSIvY1G8euMjVFhI=", DevCredential.ComputeSignature(stringToSign));
    }

    [Fact]
    public void Table_resource_keeps_only_the_comp_parameter()
    {
        var stringToSign = SharedKeyLiteTablePolicy.BuildStringToSign("d", new Uri("https://acct.table.core.windows.net/t?comp=acl&x=1"), "acct");
        Assert.Equal("d\n/acct/t?comp=acl", stringToSign);
    }
}
