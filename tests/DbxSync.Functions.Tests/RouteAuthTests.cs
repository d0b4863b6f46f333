using System.Net;
using System.Text.Json;
using DbxSync.Functions.Api.OpenApi;
using DbxSync.Functions.Middleware;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// The one gate, per auth mode, for every operation the OpenAPI document lists (generated from the same route table,
/// so a new route is covered without touching this file): without valid credentials every operation but the
/// [AllowAnonymous] ones is a 401 problem; with them it is let through (whatever the operation then answers, it is
/// not 401/403); a read-only token may only read. easyauth runs under the local host's easyauth stand-in, signed in
/// as an allowed principal, as one the allowlists do not name, and with forged X-MS-CLIENT-PRINCIPAL headers.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RouteAuthTests(ApiFixture fixture, EasyAuthHost easyAuth) : ApiTestBase(fixture), IClassFixture<EasyAuthHost>
{
    /// <summary>Every (method, path) of the OpenAPI document, path parameters filled with values that name nothing.</summary>
    public static TheoryData<string, string> Operations()
    {
        var data = new TheoryData<string, string>();
        var document = OpenApiDocumentBuilder.Build(typeof(ApiAuthMiddleware).Assembly);
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, _) in item!.AsObject())
            data.Add(method.ToUpperInvariant(), System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "x0"));
        return data;
    }

    private static bool IsAnonymous(string method, string path)
        => HttpFunctionRoute.ApiOperations(typeof(ApiAuthMiddleware).Assembly)
            .Single(r => r.Methods.Contains(method) && r.MatchesPath(path)).AllowsAnonymous;

    private static HttpRequestMessage Request(string method, string path)
        => new(new HttpMethod(method), path) { Content = method is "POST" or "PUT" or "PATCH" ? Json("{}") : null };

    [Fact]
    public void Every_api_route_is_covered_and_only_health_and_me_are_anonymous()
    {
        Assert.True(Operations().Count() >= 27, $"only {Operations().Count()} operations");
        var anonymous = HttpFunctionRoute.ApiOperations(typeof(ApiAuthMiddleware).Assembly).Where(r => r.AllowsAnonymous).Select(r => r.Path).Order().ToList();
        Assert.Equal(["/api/health", "/api/me"], anonymous);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Tokens_mode_refuses_strangers_admits_tokens_and_limits_readers(string method, string path)
    {
        using var stranger = await Fixture.CreateClient("not-a-token").SendAsync(Request(method, path));
        using var none = await Fixture.Anonymous.SendAsync(Request(method, path));
        if (IsAnonymous(method, path))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, none.StatusCode);
            return;
        }
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(stranger, HttpStatusCode.Unauthorized, "unauthorized");

        using var admin = await Admin.SendAsync(Request(method, path));
        Assert.True(admin.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path}: admin got {(int)admin.StatusCode}");
        using var reader = await Fixture.Reader.SendAsync(Request(method, path));
        if (method == "GET") Assert.True(reader.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path}: reader got {(int)reader.StatusCode}");
        else await AssertProblemAsync(reader, HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Easyauth_mode_admits_only_allowlisted_sign_ins_and_no_forged_header(string method, string path)
    {
        using var none = await easyAuth.Fixture.Anonymous.SendAsync(Request(method, path));
        var forged = Request(method, path);
        // What App Service would inject for the allowed principal, sent by the client itself: the stand-in strips it.
        forged.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", EasyAuthHost.AllowedPrincipal);
        forged.Headers.Add("X-MS-CLIENT-PRINCIPAL", EasyAuthHost.Claims(EasyAuthHost.AllowedPrincipal, EasyAuthHost.AllowedApplication));
        using var forgedResponse = await easyAuth.Fixture.Anonymous.SendAsync(forged);
        if (IsAnonymous(method, path))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, none.StatusCode);
            return;
        }
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(forgedResponse, HttpStatusCode.Unauthorized, "unauthorized");
        using var other = await easyAuth.OtherPrincipal.SendAsync(Request(method, path));
        await AssertProblemAsync(other, HttpStatusCode.Unauthorized, "unauthorized");

        foreach (var allowed in new[] { easyAuth.AllowedPrincipalClient, easyAuth.AllowedApplicationClient })
        {
            using var response = await allowed.SendAsync(Request(method, path));
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path}: signed-in caller got {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Easyauth_me_names_the_platform_sign_in_and_the_signed_in_access()
    {
        var me = await ReadJsonAsync(await easyAuth.Fixture.Anonymous.GetAsync("/api/me"));
        Assert.Equal("easyauth", me.GetProperty("auth_mode").GetString());
        Assert.Equal("none", me.GetProperty("access").GetString());
        Assert.Equal("/.auth/login/aad", me.GetProperty("sign_in_url").GetString());
        var signedIn = await ReadJsonAsync(await easyAuth.AllowedPrincipalClient.GetAsync("/api/me"));
        Assert.Equal("full", signedIn.GetProperty("access").GetString());
    }
}

/// <summary>A host of its own in easyauth mode behind the local host's easyauth stand-in, and three signed-in clients.</summary>
public sealed class EasyAuthHost : IAsyncLifetime
{
    public const string AllowedApplication = "11111111-1111-1111-1111-111111111111";
    public const string AllowedPrincipal = "22222222-2222-2222-2222-222222222222";

    public ApiFixture Fixture { get; private set; } = null!;
    public HttpClient AllowedPrincipalClient { get; private set; } = null!;
    public HttpClient AllowedApplicationClient { get; private set; } = null!;
    public HttpClient OtherPrincipal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fixture = await ApiFixture.StartWithSettingsAsync(new Dictionary<string, string>
        {
            ["DbxSync__Api__AuthMode"] = "easyauth",
            ["DbxSync__Api__AllowedApplicationIds"] = AllowedApplication,
            ["DbxSync__Api__AllowedPrincipalIds"] = AllowedPrincipal,
        }, waitForStorage: false, hostArguments: ["--easyauth-stand-in"]);
        AllowedPrincipalClient = await SignInAsync($"principal_id={AllowedPrincipal}");
        AllowedApplicationClient = await SignInAsync($"principal_id={Guid.NewGuid()}&app_id={AllowedApplication}");
        OtherPrincipal = await SignInAsync($"principal_id={Guid.NewGuid()}&app_id={Guid.NewGuid()}");
    }

    /// <summary>Signs in through the stand-in's /.auth/login/aad as a browser would; the client keeps the session cookie.</summary>
    private async Task<HttpClient> SignInAsync(string query)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Fixture.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.GetAsync($"/.auth/login/aad?{query}&post_login_redirect_uri=/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>X-MS-CLIENT-PRINCIPAL as App Service Authentication writes it: base64 JSON with the token's claims.</summary>
    public static string Claims(string objectId, string appId)
        => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = "appid", val = appId }, new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId } },
            name_typ = "name",
            role_typ = "roles",
        }));

    public async Task DisposeAsync()
    {
        AllowedPrincipalClient?.Dispose();
        AllowedApplicationClient?.Dispose();
        OtherPrincipal?.Dispose();
        if (Fixture is not null) await Fixture.DisposeAsync();
    }
}
