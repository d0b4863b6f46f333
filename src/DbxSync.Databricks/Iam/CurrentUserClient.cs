using System.Text.Json.Serialization;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Iam;

/// <summary>
/// GET /api/2.0/preview/scim/v2/Me (REST reference, "Current user: Get current user info"). For a service principal
/// userName is its application id, which is also the name GRANT statements use.
/// </summary>
public sealed class CurrentUserClient
{
    private readonly WorkspaceHttp _http;

    internal CurrentUserClient(WorkspaceHttp http) => _http = http;

    private sealed record Me(
        [property: JsonPropertyName("userName")] string? UserName,
        [property: JsonPropertyName("entitlements")] List<Entitlement>? Entitlements);

    private sealed record Entitlement([property: JsonPropertyName("value")] string? Value);

    public async Task<CurrentUser> GetAsync(CancellationToken cancellationToken = default)
    {
        var me = await _http.SendJsonAsync<Me>(_http.NewRequest(HttpMethod.Get, "/api/2.0/preview/scim/v2/Me", "current user"), cancellationToken).ConfigureAwait(false);
        return new CurrentUser(me.UserName ?? "", (me.Entitlements ?? []).Select(e => e.Value ?? "").Where(v => v.Length > 0).ToList());
    }
}
