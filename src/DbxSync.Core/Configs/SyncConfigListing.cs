using DbxSync.Core.Errors;
using DbxSync.Core.State;

namespace DbxSync.Core.Configs;

/// <summary>What a list page asks for. Null filters match everything.</summary>
public sealed record ConfigListQuery
{
    /// <summary>Part of the name, any case.</summary>
    public string? Name { get; init; }
    public string? ConfigType { get; init; }
    /// <summary>active, paused, or failing (an error episode or a failed last run).</summary>
    public string? Status { get; init; }
    public string? ServicePrincipalId { get; init; }
    /// <summary>Failing configs first (the overview), then natural name order; otherwise name order only.</summary>
    public bool FailuresFirst { get; init; }
    public int PageSize { get; init; } = 100;
    public string? PageToken { get; init; }
}

/// <summary>One row of a list page: the config with its schedule and last run from SyncState.</summary>
public sealed record ConfigListItem(SyncConfig Config, DueSchedule? Schedule, LastRunSummary? LastRun)
{
    public bool IsFailing => Schedule?.InErrorState == true || LastRun?.Outcome == Runs.RunOutcome.Failed;
}

/// <summary>
/// One page of a list, with counts over every config the query matched (not just this page), so a list page can show
/// its summary (how many fail, how many are paused) from one request of a page that renders fast.
/// </summary>
public sealed record ConfigListPage(IReadOnlyList<ConfigListItem> Items, string? NextPageToken, int Total, int Failing, int Paused);

/// <summary>
/// The list pages' one request: every config with what a list shows, filtered, sorted on the server (natural name
/// order, failures first when asked, across pages: Table Storage's own pages cannot give that order) and paged
/// with an opaque token. Three table queries whatever the number of configs (configs, schedules, last runs), and
/// no warehouse statement.
/// </summary>
public sealed class SyncConfigListing(SyncConfigService configs, DueScheduleRepository schedules, LastRunSummaryStore lastRuns)
{
    public const int MaxPageSize = 5000;
    private static readonly string[] Statuses = ["active", "paused", "failing"];

    public async Task<ConfigListPage> ListAsync(ConfigListQuery query, CancellationToken cancellationToken = default)
    {
        if (query.PageSize is < 1 or > MaxPageSize)
            throw new ValidationException($"page_size must be an integer from 1 to {MaxPageSize}.", "page_size");
        if (query.Status is { } status && !Statuses.Contains(status))
            throw new ValidationException($"status must be one of {string.Join(", ", Statuses)}.", "status");
        var offset = DecodeToken(query.PageToken);

        var listTask = configs.ListAsync(query.ConfigType, query.ServicePrincipalId, cancellationToken);
        var schedulesTask = schedules.GetAllAsync(cancellationToken);
        var runsTask = lastRuns.GetAllAsync(cancellationToken);
        await Task.WhenAll(listTask, schedulesTask, runsTask);
        var (all, dues, runs) = (await listTask, await schedulesTask, await runsTask);

        var items = all
            .Where(c => query.Name is not { Length: > 0 } name || c.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .Select(c => new ConfigListItem(c, dues.GetValueOrDefault(c.Id), runs.GetValueOrDefault(c.Id)))
            .Where(i => query.Status switch
            {
                "active" => i.Config.IsActive,
                "paused" => !i.Config.IsActive,
                "failing" => i.IsFailing,
                _ => true,
            })
            .OrderBy(i => query.FailuresFirst && i.IsFailing ? 0 : 1)
            .ThenBy(i => i.Config.Name, NaturalOrder.Instance)
            .ThenBy(i => i.Config.Id, StringComparer.Ordinal)
            .ToList();
        var page = items.Skip(offset).Take(query.PageSize).ToList();
        var next = offset + page.Count < items.Count ? EncodeToken(offset + page.Count) : null;
        return new ConfigListPage(page, next, items.Count, items.Count(i => i.IsFailing), items.Count(i => !i.Config.IsActive));
    }

    // A position in the server's own order, not a store token (Table Storage cannot give this order).
    private static string EncodeToken(int offset) => OpaqueToken.Encode("o:" + offset.ToString(System.Globalization.CultureInfo.InvariantCulture))!;

    private static int DecodeToken(string? token)
        => OpaqueToken.Decode(token, "page_token") is not { } position ? 0
            : position.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(position.AsSpan(2), out var offset) && offset >= 0 ? offset
            : throw new ValidationException("page_token is not a token this API handed out.", "page_token");
}
