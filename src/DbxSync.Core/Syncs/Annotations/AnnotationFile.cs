using System.Runtime.CompilerServices;
using System.Text;
using DbxSync.Core.Syncs.LabeledImport;

namespace DbxSync.Core.Syncs.Annotations;

/// <summary>
/// An annotation file: JSON Lines (one object per line, UTF-8, blank lines skipped), read one line at a time by both
/// passes (validation, then staging) with the same numbering, so an error names the line a user sees in an editor.
/// </summary>
public static class AnnotationFile
{
    public static readonly IReadOnlyList<string> Extensions = [".jsonl", ".ndjson"];

    /// <summary>Which names under annotations/ an annotations_reverse config imports: the labeled-file rules, for JSON Lines.</summary>
    public static bool IsImportable(string configId, string blobName) => LabeledBlobName.IsImportable(configId, blobName, Extensions);

    /// <summary>Every non-blank line with its 1-based number. Invalid UTF-8 fails the read on the line it is on.</summary>
    public static async IAsyncEnumerable<(long Line, string Text)> ReadLinesAsync(Stream content, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Lines are split as bytes and each is decoded on its own, so an invalid byte is reported on its own line
        // (a text reader decodes ahead and would blame the line it happens to be on).
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        long line = 0;
        var atEnd = false;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline < 0 && !atEnd)
            {
                // Keep the partial line, make room (a line longer than the buffer grows it), read more.
                if (start > 0) { Buffer.BlockCopy(buffer, start, buffer, 0, end - start); end -= start; start = 0; }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = await content.ReadAsync(buffer.AsMemory(end), cancellationToken);
                if (read == 0) atEnd = true;
                end += read;
                continue;
            }
            var stop = newline < 0 ? end : newline;
            if (newline < 0 && stop == start) yield break;
            line++;
            var bytes = buffer.AsSpan(start, stop - start);
            if (line == 1 && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
            if (bytes.EndsWith("\r"u8)) bytes = bytes[..^1];
            string text;
            try { text = strict.GetString(bytes); }
            catch (DecoderFallbackException) { throw new AnnotationFileFormatException(line, "the line is not valid UTF-8"); }
            start = newline < 0 ? end : newline + 1;
            if (!string.IsNullOrWhiteSpace(text)) yield return (line, text);
            if (newline < 0) yield break;
        }
    }
}

/// <summary>An annotation file that cannot be read at all from a given line on.</summary>
public sealed class AnnotationFileFormatException(long line, string reason) : Exception($"line {line}: {reason}")
{
    public long Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>The outcome of validating a whole annotation file before any table is touched.</summary>
public sealed class AnnotationValidation
{
    public List<ImportError> Errors { get; } = [];
    public long ErrorCount { get; private set; }
    public long Records { get; set; }
    public bool IsValid => ErrorCount == 0;

    public void Add(long line, string? field, string message)
    {
        ErrorCount++;
        if (Errors.Count < ImportValidation.MaxReportedErrors) Errors.Add(new ImportError(line, field, message));
    }

    /// <summary>One streaming pass: every line parses and passes its checks, and the file has at least one record.</summary>
    public static async Task<AnnotationValidation> ValidateAsync(Stream content, CancellationToken cancellationToken)
    {
        var report = new AnnotationValidation();
        try
        {
            await foreach (var (line, text) in AnnotationFile.ReadLinesAsync(content, cancellationToken))
                if (AnnotationLine.Parse(text, line, report.Add) is not null) report.Records++;
        }
        catch (AnnotationFileFormatException ex)
        {
            report.Add(ex.Line, null, ex.Reason);
        }
        if (report.Records == 0 && report.ErrorCount == 0) report.Add(1, null, "the file has no annotations");
        return report;
    }
}
