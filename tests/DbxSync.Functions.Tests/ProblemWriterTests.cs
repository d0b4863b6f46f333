using System.Text;
using DbxSync.Functions.Api.Problems;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>The RFC 7807 body byte for byte as clients have parsed it: members in this order, snake_case extensions (no host needed).</summary>
public sealed class ProblemWriterTests
{
    private static async Task<(int Status, string? ContentType, string Body)> WriteAsync(ProblemType type, string detail, string? field)
    {
        var context = new DefaultHttpContext { TraceIdentifier = "trace-1" };
        context.Request.Path = "/api/databricks/sync-configs/x";
        using var body = new MemoryStream();
        context.Response.Body = body;
        await ProblemWriter.WriteAsync(context, type, detail, field);
        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task A_problem_with_a_field_is_written_with_every_member_in_order()
    {
        var (status, contentType, body) = await WriteAsync(ProblemTypes.UnknownField, "The body has a field 'colour' this API does not know.", "colour");
        Assert.Equal((400, "application/problem+json"), (status, contentType));
        const string Expected = """{"type":"https://dbxsync.dev/problems/unknown-field","title":"The body has a field this API does not know","status":400,"detail":"The body has a field \u0027colour\u0027 this API does not know.","instance":"/api/databricks/sync-configs/x","trace_id":"trace-1","field":"colour"}""";
        Assert.Equal(Expected, body);
    }

    [Fact]
    public async Task A_problem_without_a_field_has_no_field_member()
    {
        var (status, _, body) = await WriteAsync(ProblemTypes.NotFound, "No resource.", null);
        Assert.Equal(404, status);
        Assert.Equal("""{"type":"https://dbxsync.dev/problems/not-found","title":"Not found","status":404,"detail":"No resource.","instance":"/api/databricks/sync-configs/x","trace_id":"trace-1"}""", body);
    }
}
