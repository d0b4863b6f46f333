using System.Text;
using DbxSync.Core.Errors;

namespace DbxSync.Core.State;

/// <summary>
/// Page tokens as the API hands them out: base64url of the server's own position (a store continuation, a list
/// offset), so clients treat them as opaque and they survive a query string. A token not handed out is a 400 on
/// the parameter it came in.
/// </summary>
public static class OpaqueToken
{
    public static string? Encode(string? position)
        => position is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string? token, string parameter)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            throw new ValidationException($"{parameter} is not a token this API handed out.", parameter);
        }
    }
}
