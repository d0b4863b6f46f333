namespace DbxSync.Databricks.Auth;

/// <summary>Supplies the bearer token for workspace calls.</summary>
public abstract class TokenProvider
{
    public abstract ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>True when a rejected token can be replaced by asking again (OAuth); false for fixed tokens (PAT).</summary>
    public virtual bool CanRefresh => false;

    /// <summary>Drops <paramref name="rejectedToken"/> so the next call fetches a new one. Ignored if it was already replaced.</summary>
    public virtual void Invalidate(string rejectedToken) { }

    /// <summary>True when the token comes from the workspace itself (OAuth M2M), so getting one already proves the credentials there.</summary>
    public virtual bool IssuedByWorkspace => false;

    /// <summary>Headers every request carries besides Authorization (Azure's management-token pair); none by default.</summary>
    public virtual ValueTask<IReadOnlyList<KeyValuePair<string, string>>> GetExtraHeadersAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, string>>>([]);
}
