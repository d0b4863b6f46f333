using DbxSync.Testing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DbxSync.Core.Errors;
using DbxSync.Databricks.Tests.Infrastructure;

namespace DbxSync.Databricks.Tests;

/// <summary>
/// The client's multipart upload against the response shapes the Python SDK parses, and its fallbacks to the single
/// PUT where a workspace does not offer it (databricks-sdk-py @9ae2241 mixins/files.py l. 1523-1626, 1933, 2428).
/// Shapes: tests/fixtures/databricks/files/05_multipart_upload_presigned.json. Small parts keep the bodies readable.
/// </summary>
public class MultipartUploadTests
{
    private const string Path = "/Volumes/main/default/vol/big file.bin";
    private const string Encoded = "/api/2.0/fs/files/Volumes/main/default/vol/big%20file.bin";
    private const int Part = 1000;
    private static readonly string Content = string.Concat(Enumerable.Range(0, 2500).Select(i => (char)('a' + i % 26)));

    private static string Shape(string name) => Fixtures.LocalNode("files/05_multipart_upload_presigned.json", name);

    private static Task<TestWorkspace> StartAsync() => TestWorkspace.StartAsync(o => new DatabricksClientOptions
    {
        AllowedWorkspaceHosts = o.AllowedWorkspaceHosts, TimeProvider = o.TimeProvider,
        MultipartUploadThreshold = 2 * Part, MultipartUploadPartSize = Part,
    });

    /// <summary>A workspace offering multipart upload; its storage records each part by number.</summary>
    private static Dictionary<int, string> OfferMultipart(TestWorkspace t)
    {
        var stored = new Dictionary<int, string>();
        var session = JsonNode.Parse(Shape("initiate_upload_response"))!["multipart_upload"]!["session_token"]!.GetValue<string>();
        t.Server.OnJson("POST", Encoded.Replace("%20", " "), Shape("initiate_upload_response"));
        t.Server.On("POST", "/api/2.0/fs/create-upload-part-urls", (ctx, body) =>
        {
            var number = JsonNode.Parse(body)!["start_part_number"]!.GetValue<int>();
            var answer = JsonNode.Parse(Shape("create_upload_part_urls_response"))!;
            answer["upload_part_urls"]![0]!["part_number"] = number;
            answer["upload_part_urls"]![0]!["url"] = $"{t.Server.BaseUrl}/storage/part/{number}?X-Amz-Signature=s3cr3t";
            return ScriptedServer.Json(ctx, answer.ToJsonString());
        });
        for (var n = 1; n <= 3; n++)
        {
            var number = n;
            t.Server.On("PUT", $"/storage/part/{number}", (ctx, body) =>
            {
                lock (stored) stored[number] = body;
                ctx.Response.Headers.ETag = $"\"etag-{number}\"";
                return Task.CompletedTask;
            });
        }
        t.Server.On("POST", "/api/2.0/fs/create-abort-upload-url", (ctx, _) =>
            ScriptedServer.Json(ctx, Shape("create_abort_upload_url_response").Replace("https://cloud_provider.com", t.Server.BaseUrl)));
        t.Server.On("DELETE", "/abort-upload//Volumes/main/default/vol/big.bin", (ctx, _) => Task.CompletedTask);
        Assert.Equal("token-Xq3vB7kP2mZ9", session);
        return stored;
    }

    private static List<ScriptedServer.SeenRequest> Seen(TestWorkspace t, string method, string path) =>
        t.Server.Requests.Where(r => r.Method == method && Uri.UnescapeDataString(r.PathAndQuery.Split('?')[0]) == path).ToList();

    [Fact]
    public async Task Large_file_goes_in_parts_through_presigned_urls_with_the_sdk_request_shapes()
    {
        await using var t = await StartAsync();
        var stored = OfferMultipart(t);

        await t.Workspace.UploadFileAsync(Path, new MemoryStream(Encoding.ASCII.GetBytes(Content)), overwrite: false);

        Assert.Equal(Content, string.Concat(stored.OrderBy(p => p.Key).Select(p => p.Value)));
        var initiate = Seen(t, "POST", Uri.UnescapeDataString(Encoded)).First();
        Assert.Contains("action=initiate-upload", initiate.PathAndQuery);
        Assert.Contains("overwrite=false", initiate.PathAndQuery);

        var urlRequests = Seen(t, "POST", "/api/2.0/fs/create-upload-part-urls");
        Assert.Equal([1, 2, 3], urlRequests.Select(r => JsonNode.Parse(r.Body)!["start_part_number"]!.GetValue<int>()));
        var expected = JsonNode.Parse(Shape("create_upload_part_urls_request"))!.AsObject().Select(p => p.Key).Order();
        Assert.All(urlRequests, r =>
        {
            var body = JsonNode.Parse(r.Body)!.AsObject();
            Assert.Equal(expected, body.Select(p => p.Key).Order());
            Assert.Equal(Path, body["path"]!.GetValue<string>());
            Assert.Equal(1, body["count"]!.GetValue<int>());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["expire_time"]!.GetValue<string>());
        });

        // Parts carry the URL's headers and never the workspace token.
        var puts = t.Server.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal(3, puts.Count);
        Assert.All(puts, p => Assert.False(p.Headers.ContainsKey("Authorization")));
        Assert.All(puts, p => Assert.Equal("value1", p.Headers["name1"]));
        Assert.Equal([Part.ToString(), Part.ToString(), "500"], puts.OrderBy(p => p.PathAndQuery).Select(p => p.Headers["Content-Length"]));

        var complete = Seen(t, "POST", Uri.UnescapeDataString(Encoded)).Last();
        Assert.Contains("action=complete-upload", complete.PathAndQuery);
        Assert.Contains("upload_type=multipart", complete.PathAndQuery);
        Assert.Contains("session_token=token-Xq3vB7kP2mZ9", complete.PathAndQuery);
        var parts = JsonNode.Parse(complete.Body)!["parts"]!.AsArray();
        Assert.Equal(JsonNode.Parse(Shape("complete_upload_request"))!["parts"]![0]!.AsObject().Select(p => p.Key), parts[0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["\"etag-1\"", "\"etag-2\"", "\"etag-3\""], parts.Select(p => p!["etag"]!.GetValue<string>()));
        Assert.Empty(Seen(t, "PUT", Uri.UnescapeDataString(Encoded)));
    }

    [Fact]
    public async Task A_stream_of_unknown_size_goes_in_parts_and_a_short_one_in_one_put()
    {
        await using var t = await StartAsync();
        var stored = OfferMultipart(t);
        t.Server.On("PUT", Uri.UnescapeDataString(Encoded), (ctx, _) => Task.CompletedTask);

        await t.Workspace.UploadFileAsync(Path, new NonSeekableStream(Encoding.ASCII.GetBytes(Content)));
        Assert.Equal(Content, string.Concat(stored.OrderBy(p => p.Key).Select(p => p.Value)));

        await t.Workspace.UploadFileAsync(Path, new NonSeekableStream(Encoding.ASCII.GetBytes(Content[..(Part - 1)])));
        Assert.Equal(Content[..(Part - 1)], Seen(t, "PUT", Uri.UnescapeDataString(Encoded)).Single().Body);
        Assert.Single(Seen(t, "POST", Uri.UnescapeDataString(Encoded)), r => r.PathAndQuery.Contains("initiate-upload"));
    }

    [Theory]
    [InlineData("no multipart endpoint")]
    [InlineData("presigned URLs disabled")]
    [InlineData("storage firewall")]
    public async Task Where_multipart_is_not_offered_the_whole_file_goes_in_one_put(string workspace)
    {
        await using var t = await StartAsync();
        OfferMultipart(t);
        if (workspace == "no multipart endpoint")
            t.Server.OnJson("POST", Uri.UnescapeDataString(Encoded), """{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found"}""", 404);
        else if (workspace == "presigned URLs disabled")
        {
            var error = JsonNode.Parse(Shape("presigned_urls_disabled_error"))!;
            t.Server.OnJson("POST", "/api/2.0/fs/create-upload-part-urls", error["body"]!.ToJsonString(), error["status"]!.GetValue<int>());
        }
        else
            t.Server.On("PUT", "/storage/part/1", (ctx, _) => ScriptedServer.Json(ctx, "<Error><Code>AccessDenied</Code><Message>This request is not authorized</Message></Error>", 403));
        var single = "";
        t.Server.On("PUT", Uri.UnescapeDataString(Encoded), (ctx, body) => { single = body; return Task.CompletedTask; });

        await t.Workspace.UploadFileAsync(Path, new NonSeekableStream(Encoding.ASCII.GetBytes(Content)));

        Assert.Equal(Content, single);
        // A session that was opened is given back (best effort, like the SDK).
        var initiated = workspace != "no multipart endpoint";
        Assert.Equal(initiated ? 1 : 0, Seen(t, "POST", "/api/2.0/fs/create-abort-upload-url").Count);
    }

    [Fact]
    public async Task An_expired_part_url_is_replaced_and_the_part_sent_again()
    {
        await using var t = await StartAsync();
        var stored = OfferMultipart(t);
        var expired = JsonNode.Parse(Shape("expired_url_aws_xml"))!.GetValue<string>();
        var first = true;
        t.Server.On("PUT", "/storage/part/2", (ctx, body) =>
        {
            if (first)
            {
                first = false;
                return ScriptedServer.Json(ctx, expired, 403);
            }
            stored[2] = body;
            ctx.Response.Headers.ETag = "\"etag-2\"";
            return Task.CompletedTask;
        });

        await t.Workspace.UploadFileAsync(Path, new MemoryStream(Encoding.ASCII.GetBytes(Content)));
        Assert.Equal(Content, string.Concat(stored.OrderBy(p => p.Key).Select(p => p.Value)));
        Assert.Equal(4, Seen(t, "POST", "/api/2.0/fs/create-upload-part-urls").Count);
    }

    [Fact]
    public async Task A_part_failing_after_the_first_aborts_the_upload_without_a_partial_fallback_or_leaking_the_url()
    {
        await using var t = await StartAsync();
        OfferMultipart(t);
        t.Server.On("PUT", "/storage/part/2", (ctx, _) => ScriptedServer.Json(ctx, "<Error><Code>AccessDenied</Code><Message>Denied</Message></Error>", 403));

        var e = await Assert.ThrowsAsync<WorkspaceException>(() => t.Workspace.UploadFileAsync(Path, new MemoryStream(Encoding.ASCII.GetBytes(Content))));
        Assert.DoesNotContain("s3cr3t", e.ToString());
        Assert.Single(Seen(t, "POST", "/api/2.0/fs/create-abort-upload-url"));
        Assert.Single(Seen(t, "DELETE", "/abort-upload//Volumes/main/default/vol/big.bin"));
        Assert.Empty(Seen(t, "PUT", Uri.UnescapeDataString(Encoded)));
        Assert.DoesNotContain(Seen(t, "POST", Uri.UnescapeDataString(Encoded)), r => r.PathAndQuery.Contains("complete-upload"));
    }

    [Fact]
    public void A_known_length_beyond_10000_parts_raises_the_part_size()
    {
        const int tenMiB = 10 * 1024 * 1024;
        Assert.Equal(tenMiB, Files.MultipartUpload.PartSizeFor(null, tenMiB));
        Assert.Equal(tenMiB, Files.MultipartUpload.PartSizeFor(10_000L * tenMiB, tenMiB));
        var raised = Files.MultipartUpload.PartSizeFor(10_000L * tenMiB + 1, tenMiB);
        Assert.True(raised > tenMiB && (10_000L * tenMiB + 1 + raised - 1) / raised <= 10_000);
    }
}
