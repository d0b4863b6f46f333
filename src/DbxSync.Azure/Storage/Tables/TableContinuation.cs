using System.Buffers.Text;
using System.Text;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>
/// Where the next query page starts. The service's values are opaque (Azure and Azurite differ),
/// so they are carried verbatim; <see cref="ToToken"/> packs both into one URL-safe string.
/// </summary>
public sealed record TableContinuation(string NextPartitionKey, string? NextRowKey)
{
    public string ToToken() =>
        Encode(NextPartitionKey) + (NextRowKey is null ? "" : "." + Encode(NextRowKey));

    public static TableContinuation Parse(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var parts = token.Split('.');
        try
        {
            return parts.Length switch
            {
                1 => new TableContinuation(Decode(parts[0]), null),
                2 => new TableContinuation(Decode(parts[0]), Decode(parts[1])),
                _ => throw new FormatException(),
            };
        }
        catch (FormatException)
        {
            throw new ArgumentException("The continuation token is not one this store issued.", nameof(token));
        }
    }

    private static string Encode(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));
    private static string Decode(string value) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));
}
