using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace DbxSync.Emulator.Files;

/// <summary>One multipart upload in progress: its target, and the parts received so far (spooled to disk, never held in memory).</summary>
public sealed class UploadSession(string id, string token, VolumePath target, bool overwrite, string partsDirectory, DateTimeOffset created)
{
    public sealed record Part(int Number, string ETag, long Length, string FilePath);

    /// <summary>Appears in presigned part URLs; unlike the session token it grants nothing on its own.</summary>
    public string Id { get; } = id;

    /// <summary>What the client presents to the workspace API (create-upload-part-urls, complete-upload).</summary>
    public string Token { get; } = token;

    public VolumePath Target { get; } = target;
    public bool Overwrite { get; } = overwrite;
    public string PartsDirectory { get; } = partsDirectory;
    public DateTimeOffset Created { get; } = created;
    public ConcurrentDictionary<int, Part> Parts { get; } = new();
}

/// <summary>
/// Open multipart uploads. Parts live under {data}/.emulator/uploads/{id}/ until complete-upload assembles them
/// or abort drops them; sessions left open for a day are swept, as object stores expire incomplete uploads.
/// </summary>
public sealed class UploadSessions(EmulatorOptions options, TimeProvider time)
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, UploadSession> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UploadSession> _byId = new(StringComparer.Ordinal);
    private readonly string _root = Path.Combine(options.DataDirectory, ".emulator", "uploads");

    public int OpenCount => _byId.Count;

    public UploadSession Start(VolumePath target, bool overwrite)
    {
        SweepAbandoned();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var directory = Path.Combine(_root, id);
        Directory.CreateDirectory(directory);
        var session = new UploadSession(id, token, target, overwrite, directory, time.GetUtcNow());
        _byToken[token] = session;
        _byId[id] = session;
        return session;
    }

    public UploadSession? FindByToken(string? token) => token is not null && _byToken.TryGetValue(token, out var session) ? session : null;

    public UploadSession? FindById(string id) => _byId.TryGetValue(id, out var session) ? session : null;

    /// <summary>Forgets the session and deletes its parts. False when it was already gone (completed, aborted or swept).</summary>
    public bool End(UploadSession session)
    {
        var removed = _byId.TryRemove(session.Id, out _);
        _byToken.TryRemove(session.Token, out _);
        try
        {
            Directory.Delete(session.PartsDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        return removed;
    }

    private void SweepAbandoned()
    {
        var cutoff = time.GetUtcNow() - AbandonedAfter;
        foreach (var session in _byId.Values.Where(s => s.Created < cutoff).ToList())
            End(session);
    }
}
