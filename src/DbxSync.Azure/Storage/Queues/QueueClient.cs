using System.Globalization;
using System.Security;
using System.Text;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Queues;

/// <summary>One storage queue (it carries the Event Grid blob-created events).</summary>
public sealed class QueueClient
{
    private readonly HttpPipeline _pipeline;
    private readonly QueueClientOptions _options;

    internal QueueClient(QueueServiceClient service, string name, QueueClientOptions options)
    {
        ValidateName(name);
        _pipeline = service.Pipeline;
        _options = options;
        Name = name;
        Uri = new Uri($"{service.Uri.AbsoluteUri}/{name}");
    }

    public string Name { get; }
    public Uri Uri { get; }

    public async Task<Response> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, Uri);
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Create Queue already answers 204 when the queue exists with the same metadata; 409 only on a metadata clash.</summary>
    public async Task<Response<bool>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await CreateAsync(cancellationToken).ConfigureAwait(false);
            return Response.FromValue(response.Status == 201, response);
        }
        catch (StorageRequestFailedException e) when (e.Status == 409 && e.ErrorCode == "QueueAlreadyExists")
        {
            return Response.FromValue(false, null!);
        }
    }

    public async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, Uri);
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Response<SendReceipt>> SendMessageAsync(
        string messageText, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var query = new List<string>();
        if (visibilityTimeout is { } visibility)
            query.Add("visibilitytimeout=" + Seconds(visibility));
        if (timeToLive is { } ttl)
            query.Add("messagettl=" + (ttl == Timeout.InfiniteTimeSpan ? "-1" : Seconds(ttl)));
        using var message = _pipeline.CreateMessage(RequestMethod.Post, MessagesUri(null, query));
        SetBody(message.Request, messageText);
        var response = await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        var item = XDocument.Load(response.Content.ToStream()).Root!.Element("QueueMessage")!;
        return Response.FromValue(new SendReceipt(
            item.Element("MessageId")!.Value,
            item.Element("PopReceipt")!.Value,
            Date(item, "InsertionTime"),
            Date(item, "ExpirationTime"),
            Date(item, "TimeNextVisible")), response);
    }

    /// <summary>Receives up to <paramref name="maxMessages"/> (1-32) and hides them for <paramref name="visibilityTimeout"/>.</summary>
    public async Task<Response<IReadOnlyList<QueueMessage>>> ReceiveMessagesAsync(
        int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var query = new List<string> { "numofmessages=" + maxMessages.ToString(CultureInfo.InvariantCulture) };
        if (visibilityTimeout is { } visibility)
            query.Add("visibilitytimeout=" + Seconds(visibility));
        using var message = _pipeline.CreateMessage(RequestMethod.Get, MessagesUri(null, query));
        var response = await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        var messages = XDocument.Load(response.Content.ToStream()).Root!.Elements("QueueMessage")
            .Select(item => new QueueMessage(
                item.Element("MessageId")!.Value,
                item.Element("PopReceipt")!.Value,
                DecodeText(item.Element("MessageText")?.Value ?? ""),
                long.Parse(item.Element("DequeueCount")?.Value ?? "0", CultureInfo.InvariantCulture),
                Date(item, "InsertionTime"),
                Date(item, "ExpirationTime"),
                Date(item, "TimeNextVisible")))
            .ToList();
        return Response.FromValue<IReadOnlyList<QueueMessage>>(messages, response);
    }

    public async Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, MessagesUri(messageId, ["popreceipt=" + Uri.EscapeDataString(popReceipt)]));
        return await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes visibility (and optionally the text). The old pop receipt is void afterwards; use the returned one.</summary>
    public async Task<Response<UpdateReceipt>> UpdateMessageAsync(
        string messageId, string popReceipt, string? messageText, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, MessagesUri(messageId,
            ["popreceipt=" + Uri.EscapeDataString(popReceipt), "visibilitytimeout=" + Seconds(visibilityTimeout)]));
        if (messageText is not null)
            SetBody(message.Request, messageText);
        var response = await _pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        var nextVisible = response.Headers.TryGetValue("x-ms-time-next-visible", out var next)
            ? DateTimeOffset.Parse(next, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : default;
        return Response.FromValue(new UpdateReceipt(response.Headers.TryGetValue("x-ms-popreceipt", out var receipt) ? receipt : popReceipt, nextVisible), response);
    }

    private Uri MessagesUri(string? messageId, IReadOnlyList<string> query)
    {
        var path = messageId is null ? $"{Uri}/messages" : $"{Uri}/messages/{Uri.EscapeDataString(messageId)}";
        return new Uri(query.Count == 0 ? path : path + "?" + string.Join('&', query));
    }

    private void SetBody(Request request, string messageText)
    {
        var text = _options.MessageEncoding == QueueMessageEncoding.Base64
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(messageText))
            : messageText;
        var xml = $"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessage><MessageText>{SecurityElement.Escape(text)}</MessageText></QueueMessage>";
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml));
    }

    private string DecodeText(string text) =>
        _options.MessageEncoding == QueueMessageEncoding.Base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;

    private static string Seconds(TimeSpan value) => ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Date(XElement item, string name) =>
        DateTimeOffset.TryParse(item.Element(name)?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : default;

    private static void ValidateName(string name)
    {
        var valid = name.Length is >= 3 and <= 63
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
            throw new ArgumentException($"Queue name '{name}' must be 3-63 lowercase letters, digits or single hyphens.", nameof(name));
    }
}
