using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DbxSync.FunctionsHost.Tests;

[Collection(HostCollection.Name)]
public sealed class HttpTriggerTests(HostFixture fixture)
{
    [Fact]
    public async Task Get_reaches_the_function_with_route_values_query_headers_and_an_invocation_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "fx/items/42/blue?q=a%20b");
        request.Headers.Add("x-fixture", "yes");
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(42, body.GetProperty("id").GetInt32());
        Assert.Equal("blue", body.GetProperty("label").GetString());
        Assert.Equal("a b", body.GetProperty("q").GetString());
        Assert.Equal("/fx/items/42/blue", body.GetProperty("path").GetString());
        Assert.Equal("yes", body.GetProperty("header").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("invocationId").GetString(), out _));
    }

    [Fact]
    public async Task An_optional_route_segment_may_be_left_out()
    {
        var body = await fixture.Http.GetFromJsonAsync<JsonElement>("fx/items/7");
        Assert.Equal(7, body.GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("label").ValueKind);
    }

    [Fact]
    public async Task Post_forwards_the_body_and_the_function_sets_the_status()
    {
        using var response = await fixture.Http.PostAsync("fx/items/9", new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(9, body.GetProperty("id").GetInt32());
        Assert.Equal("{\"a\":1}", body.GetProperty("body").GetString());
        Assert.StartsWith("application/json", body.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task A_large_request_body_streams_through_to_the_function()
    {
        var payload = new string('x', 3 * 1024 * 1024);
        using var response = await fixture.Http.PostAsync("fx/items/1", new StringContent(payload));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(payload.Length, body.GetProperty("body").GetString()!.Length);
    }

    [Fact]
    public async Task A_streamed_response_reaches_the_client_as_it_is_written()
    {
        var gate = Guid.NewGuid().ToString("N");
        using var response = await fixture.Http.GetAsync($"fx/stream/{gate}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The function holds back the second line until released, so the first can only arrive if it streams.
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("{\"line\":1}", first);
        using (var release = await fixture.Http.PostAsync($"fx/release/{gate}", null))
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        Assert.Equal("{\"line\":2}", await reader.ReadLineAsync());
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task The_function_name_is_the_route_when_none_is_given()
    {
        Assert.Equal("pong", await fixture.Http.GetStringAsync("fx/Ping"));
    }

    [Theory]
    [InlineData("fx/items/notanumber")]
    [InlineData("fx/nothing-here")]
    [InlineData("api/items/1")]
    public async Task An_unknown_route_or_a_failed_constraint_is_404(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_method_is_405()
    {
        using var response = await fixture.Http.DeleteAsync("fx/items/1");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task A_function_level_function_needs_a_key_in_the_header_or_the_code_query()
    {
        using (var none = await fixture.Http.GetAsync("fx/secured"))
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using (var wrong = await fixture.Http.GetAsync("fx/secured?code=wrong"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("secret-ok", await fixture.Http.GetStringAsync($"fx/secured?code={HostFixture.FunctionKey}"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "fx/secured");
        request.Headers.Add("x-functions-key", HostFixture.MasterKey);
        using var withHeader = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
    }
}
