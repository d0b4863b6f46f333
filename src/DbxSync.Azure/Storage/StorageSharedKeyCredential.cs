using System.Security.Cryptography;
using System.Text;

namespace DbxSync.Azure.Storage;

/// <summary>
/// Account name and key for Shared Key signing. The key is decoded once and never exposed
/// again: no property returns it and ToString hides it, so it cannot leak into logs.
/// </summary>
public sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            // Deliberately without the value: it is the secret.
            throw new FormatException($"The account key for '{accountName}' is not valid base64.");
        }
    }

    public string AccountName { get; }

    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"StorageSharedKeyCredential({AccountName}, key=***)";
}
