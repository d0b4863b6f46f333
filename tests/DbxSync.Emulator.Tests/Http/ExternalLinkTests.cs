using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace DbxSync.Emulator.Tests.Http;

public sealed class ExternalLinkTests
{
    [Fact]
    public async Task External_links_cover_every_chunk_and_match_the_recording()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        var body = await host.ExecuteAsync("SELECT * FROM range(250)", disposition: "EXTERNAL_LINKS");

        var fixture = FixtureJson.Load("statements/05_execute_external_links_arrow_multichunk.json").At("response", "body");
        FixtureJson.AssertShape(fixture, body, ignore: ["result_compression"]);
        FixtureJson.AssertShape(fixture.GetProperty("result"), body.GetProperty("result"), exact: true);
        var manifest = body.GetProperty("manifest");
        Assert.Equal(3, manifest.GetProperty("total_chunk_count").GetInt32());
        Assert.True(manifest.GetProperty("chunks")[0].GetProperty("byte_count").GetInt64() > 0);
        Assert.Equal(manifest.GetProperty("chunks").EnumerateArray().Sum(c => c.GetProperty("byte_count").GetInt64()),
            manifest.GetProperty("total_byte_count").GetInt64());

        var rows = new List<JsonElement>();
        var link = body.At("result", "external_links")[0];
        while (true)
        {
            var expiration = DateTimeOffset.Parse(link.GetProperty("expiration").GetString()!);
            Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
            using var download = await host.Anonymous.GetAsync(link.GetProperty("external_link").GetString());
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            var bytes = await download.Content.ReadAsByteArrayAsync();
            Assert.Equal(link.GetProperty("byte_count").GetInt64(), bytes.Length);
            using var chunk = JsonDocument.Parse(bytes);
            Assert.Equal(link.GetProperty("row_count").GetInt64(), chunk.RootElement.GetArrayLength());
            rows.AddRange(chunk.RootElement.EnumerateArray().Select(r => r.Clone()));

            if (!link.TryGetProperty("next_chunk_internal_link", out var next))
                break;
            var nextChunk = await host.GetJsonAsync(next.GetString()!);
            var expected = nextChunk.GetProperty("external_links")[0].TryGetProperty("next_chunk_index", out _)
                ? FixtureJson.Load("statements/13_docs_response_samples.json").GetProperty("result_chunk_external_links_has_next")
                : FixtureJson.Load("statements/06_get_result_chunk_1_external_links.json").At("response", "body");
            FixtureJson.AssertShape(expected, nextChunk, exact: true);
            link = nextChunk.GetProperty("external_links")[0];
        }

        Assert.Equal(250, rows.Count);
        Assert.Equal("249", rows[^1][0].GetString());
    }

    [Fact]
    public async Task External_link_refuses_an_authorization_header()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        var body = await host.ExecuteAsync("SELECT * FROM range(5)", disposition: "EXTERNAL_LINKS");
        var url = body.At("result", "external_links")[0].GetProperty("external_link").GetString();

        using var withToken = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, withToken.StatusCode);

        using var tampered = await host.Anonymous.GetAsync(url!.Replace("sig=", "sig=00"));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    [Fact]
    public async Task External_link_expires_and_a_refetched_chunk_gives_a_fresh_one()
    {
        // Expiry is kept in whole seconds, so a link lives between lifetime-1 and lifetime: 3 s leaves a fresh link
        // at least 2 s, enough on a loaded machine.
        await using var host = await EmulatorTestHost.StartAsync(options => options.ExternalLinkLifetime = TimeSpan.FromSeconds(3));
        var body = await host.ExecuteAsync("SELECT * FROM range(5)", disposition: "EXTERNAL_LINKS");
        var url = body.At("result", "external_links")[0].GetProperty("external_link").GetString();

        await Task.Delay(TimeSpan.FromSeconds(3.1));
        using var expired = await host.Anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);

        var refreshed = await host.GetJsonAsync($"/api/2.0/sql/statements/{body.GetProperty("statement_id").GetString()}/result/chunks/0");
        using var fresh = await host.Anonymous.GetAsync(refreshed.GetProperty("external_links")[0].GetProperty("external_link").GetString());
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task External_link_zero_rows_has_empty_result()
    {
        await using var host = await EmulatorTestHost.StartAsync();
        var body = await host.ExecuteAsync("SELECT * FROM empty", disposition: "EXTERNAL_LINKS");
        Assert.Equal("{}", body.GetProperty("result").GetRawText());
        Assert.Equal(0, body.At("manifest", "total_byte_count").GetInt64());
    }

    [Fact]
    public async Task Inline_results_above_the_inline_cap_fail_without_partial_data()
    {
        await using var host = await EmulatorTestHost.StartAsync(options => options.InlineResultByteLimit = 2000);
        var body = await host.ExecuteAsync("SELECT * FROM range(500)");
        Assert.Equal("FAILED", body.At("status", "state").GetString());
        Assert.False(body.TryGetProperty("result", out _));
    }
}
