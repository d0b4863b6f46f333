using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>
/// One table. Failures are <see cref="StorageRequestFailedException"/>: 412 (IsConditionFailed) when an
/// If-Match ETag moved, 409 EntityAlreadyExists (IsAlreadyExists) when an insert finds the row.
/// </summary>
public sealed class TableClient
{
    // minimalmetadata returns odata.etag per entity and the type annotations needed to round-trip types.
    private const string AcceptJson = "application/json;odata=minimalmetadata";
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly HttpPipeline _pipeline;
    private readonly Uri _serviceUri;

    internal TableClient(TableServiceClient service, string name)
    {
        TableKeys.ValidateTableName(name);
        _pipeline = service.Pipeline;
        _serviceUri = service.Uri;
        Name = name;
    }

    public string Name { get; }

    public async Task<Response> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, "Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message.Request, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Value is true when this call created the table.</summary>
    public async Task<Response<bool>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return Response.FromValue(true, await CreateAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (StorageRequestFailedException e) when (e.Status == 409 && e.ErrorCode == "TableAlreadyExists")
        {
            return Response.FromValue(false, null!);
        }
    }

    public async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, $"Tables({TableKeys.Quote(Name)})");
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Response<TableEntity>> GetEntityAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var query = select is null ? "" : "?$select=" + Uri.EscapeDataString(string.Join(',', select));
        using var message = CreateMessage(RequestMethod.Get, Name + TableKeys.EntityPath(partitionKey, rowKey) + query);
        var response = await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var etag = response.Headers.TryGetValue("ETag", out var header) ? header : null;
        return Response.FromValue(TableEntityJson.Deserialize(json.RootElement, etag), response);
    }

    /// <summary>Null (not an exception) when the entity does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await GetEntityAsync(partitionKey, rowKey, null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (StorageRequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Insert only: 409 EntityAlreadyExists when the row is there. Returns the new ETag (also set on <paramref name="entity"/>).</summary>
    public async Task<Response<ETag>> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(entity.PartitionKey, nameof(entity.PartitionKey));
        TableKeys.Validate(entity.RowKey, nameof(entity.RowKey));
        using var message = CreateMessage(RequestMethod.Post, Name);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message.Request, TableEntityJson.Serialize(entity));
        return WithETag(entity, await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Insert-or-replace / insert-or-merge: unconditional.</summary>
    public Task<Response<ETag>> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch: null, cancellationToken);

    /// <summary>Replace or merge an existing entity when its ETag is still <paramref name="ifMatch"/> (<see cref="ETag.All"/> for any).</summary>
    public Task<Response<ETag>> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        if (ifMatch == default)
            throw new ArgumentException("An update needs an ETag; use ETag.All to overwrite whatever is there.", nameof(ifMatch));
        return WriteEntityAsync(entity, mode, ifMatch, cancellationToken);
    }

    /// <summary>Delete requires If-Match; the default is * (any version).</summary>
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, Name + TableKeys.EntityPath(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch == default ? "*" : StorageETag.ToHeaderValue(ifMatch));
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>All matching entities; keeps following continuations, even across short or empty pages.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null, IEnumerable<string>? select = null, int? maxPerPage = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selected = select?.ToList();
        TableContinuation? continuation = null;
        do
        {
            var page = (await QueryPageAsync(filter, selected, maxPerPage, continuation, cancellationToken).ConfigureAwait(false)).Value;
            foreach (var entity in page.Entities)
                yield return entity;
            continuation = page.Continuation;
        }
        while (continuation is not null);
    }

    /// <summary>One Query Entities call. <paramref name="top"/> is capped at 1000 by the service.</summary>
    public async Task<Response<TableEntityPage>> QueryPageAsync(
        string? filter, IEnumerable<string>? select, int? top, TableContinuation? continuation, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(filter))
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        if (select is not null)
            query.Add("$select=" + Uri.EscapeDataString(string.Join(',', select)));
        if (top is { } t)
            query.Add("$top=" + Math.Clamp(t, 1, 1000).ToString(CultureInfo.InvariantCulture));
        if (continuation is not null)
        {
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(continuation.NextPartitionKey));
            if (continuation.NextRowKey is not null)
                query.Add("NextRowKey=" + Uri.EscapeDataString(continuation.NextRowKey));
        }

        using var message = CreateMessage(RequestMethod.Get, Name + "()" + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        var response = await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entities = json.RootElement.TryGetProperty("value", out var values)
            ? values.EnumerateArray().Select(e => TableEntityJson.Deserialize(e)).ToList()
            : [];
        TableContinuation? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition))
            next = new TableContinuation(nextPartition, response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow) ? nextRow : null);
        return Response.FromValue(new TableEntityPage(entities, next), response);
    }

    private async Task<Response<ETag>> WriteEntityAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(mode == TableUpdateMode.Replace ? RequestMethod.Put : Merge, Name + TableKeys.EntityPath(entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
            message.Request.Headers.SetValue("If-Match", StorageETag.ToHeaderValue(etag));
        SetJson(message.Request, TableEntityJson.Serialize(entity));
        return WithETag(entity, await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false));
    }

    private static Response<ETag> WithETag(TableEntity entity, Response response)
    {
        var etag = response.Headers.TryGetValue("ETag", out var header) ? new ETag(header) : default;
        entity.ETag = etag;
        return Response.FromValue(etag, response);
    }

    private HttpMessage CreateMessage(RequestMethod method, string relative)
    {
        var message = _pipeline.CreateMessage(method, new Uri($"{_serviceUri.AbsoluteUri}/{relative}"));
        message.Request.Headers.SetValue("Accept", AcceptJson);
        return message;
    }

    private static void SetJson(Request request, byte[] json)
    {
        request.Headers.SetValue("Content-Type", "application/json");
        request.Content = RequestContent.Create(json);
    }
}
