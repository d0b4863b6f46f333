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

    /// <summary>Every non-blank line with its 1-based number. Invalid UTF-8 fails the read at the line it is on.</summary>
    public static async IAsyncEnumerable<(long Line, string Text)> ReadLinesAsync(Stream content, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Strict UTF-8; the encoding's preamble makes the reader skip a UTF-8 byte order mark.
        using var reader = new StreamReader(content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
        long line = 0;
        while (true)
        {
            string? text;
            try { text = await reader.ReadLineAsync(cancellationToken); }
            catch (DecoderFallbackException) { throw new AnnotationFileFormatException(line + 1, "the file is not valid UTF-8"); }
            if (text is null) yield break;
            line++;
            if (!string.IsNullOrWhiteSpace(text)) yield return (line, text);
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
