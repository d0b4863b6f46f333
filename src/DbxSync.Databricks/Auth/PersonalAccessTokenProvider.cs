namespace DbxSync.Databricks.Auth;

/// <summary>A personal access token: nothing to fetch or refresh; a rejection is a configuration error.</summary>
public sealed class PersonalAccessTokenProvider(string token) : TokenProvider
{
    private readonly string _token = string.IsNullOrWhiteSpace(token) ? throw new ArgumentException("The personal access token is empty.", nameof(token)) : token;

    public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_token);

    public override string ToString() => "PersonalAccessTokenProvider";
}
