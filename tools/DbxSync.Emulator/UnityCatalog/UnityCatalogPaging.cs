using System.Globalization;
using System.Text;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.UnityCatalog;

/// <summary>
/// UC list paging: max_results omitted returns everything (legacy, catalogs/schemas/tables only), 0 means the
/// server page size, negative is rejected. Tokens are opaque and resume after the last name served.
/// </summary>
public static class UnityCatalogPaging
{
    public const int ServerPageSize = 1000;

    public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);

    public static (Page<T>? Page, IResult? Error) Paginate<T>(
        HttpRequest request, IEnumerable<T> items, Func<T, string> key, bool unpaginatedWhenMaxResultsOmitted)
    {
        var maxResultsText = request.Query["max_results"].ToString();
        int pageSize;
        if (maxResultsText.Length == 0)
            pageSize = unpaginatedWhenMaxResultsOmitted ? int.MaxValue : ServerPageSize;
        else if (!int.TryParse(maxResultsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out pageSize) || pageSize < 0)
            return (null, ErrorEnvelope.BadRequest($"max_results must be a non-negative integer, got '{maxResultsText}'."));
        else if (pageSize is 0 or > ServerPageSize)
            pageSize = ServerPageSize;

        string? after = null;
        var token = request.Query["page_token"].ToString();
        if (token.Length > 0 && (after = Decode(token)) is null)
            return (null, ErrorEnvelope.BadRequest("Invalid page_token."));

        var ordered = items.OrderBy(key, StringComparer.Ordinal)
            .Where(item => after is null || string.CompareOrdinal(key(item), after) > 0)
            .Take(pageSize == int.MaxValue ? int.MaxValue : pageSize + 1)
            .ToList();
        if (pageSize == int.MaxValue || ordered.Count <= pageSize)
            return (new Page<T>(ordered, null), null);
        var page = ordered.Take(pageSize).ToList();
        return (new Page<T>(page, Encode(key(page[^1]))), null);
    }

    private static string Encode(string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("uc:" + lastKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return text.StartsWith("uc:", StringComparison.Ordinal) ? text[3..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
