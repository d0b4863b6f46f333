namespace DbxSync.Azure.Storage.Queues;

public enum QueueMessageEncoding
{
    /// <summary>Text goes as is (XML-escaped in the envelope).</summary>
    None,
    /// <summary>Text is UTF-8 then base64, the Functions queue trigger's default.</summary>
    Base64,
}

public sealed record QueueClientOptions
{
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.None;
}

public sealed record SendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);

/// <summary>A received message; <see cref="PopReceipt"/> is needed to delete or update it.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string MessageText,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn);

public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
