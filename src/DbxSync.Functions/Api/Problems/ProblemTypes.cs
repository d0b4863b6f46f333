namespace DbxSync.Functions.Api.Problems;

/// <summary>A stable problem kind: clients branch on Type, never on the detail text.</summary>
public sealed record ProblemType(string Slug, int Status, string Title)
{
    public const string BaseUri = "https://dbxsync.dev/problems/";
    public string Uri => BaseUri + Slug;
}

public static class ProblemTypes
{
    public static readonly ProblemType Validation = new("validation-error", 400, "The request is not valid");
    public static readonly ProblemType MalformedJson = new("malformed-json", 400, "The body is not valid JSON");
    public static readonly ProblemType UnknownField = new("unknown-field", 400, "The body has a field this API does not know");
    public static readonly ProblemType InvalidFieldType = new("invalid-field-type", 400, "A field has the wrong type");
    public static readonly ProblemType MissingBody = new("missing-body", 400, "The request body is missing");
    public static readonly ProblemType ImmutableField = new("immutable-field", 400, "This field cannot be changed");
    public static readonly ProblemType InvalidCredentials = new("invalid-credentials", 400, "The workspace refused the credentials");
    public static readonly ProblemType InvalidWorkspaceUrl = new("invalid-workspace-url", 400, "The workspace URL is not acceptable");
    public static readonly ProblemType Unauthorized = new("unauthorized", 401, "Authentication is required");
    public static readonly ProblemType Forbidden = new("forbidden", 403, "This credential may not do that");
    public static readonly ProblemType NotFound = new("not-found", 404, "Not found");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed");
    public static readonly ProblemType Conflict = new("conflict", 409, "Conflict");
    public static readonly ProblemType RunInProgress = new("run-in-progress", 409, "Another run of this config is in progress");
    public static readonly ProblemType PreconditionFailed = new("precondition-failed", 412, "The resource changed (If-Match does not match)");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", 413, "The body is too large");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "Unsupported media type");
    public static readonly ProblemType WorkspaceUnreachable = new("workspace-unreachable", 502, "The Databricks workspace could not be reached");
    public static readonly ProblemType WorkspaceError = new("workspace-error", 502, "The Databricks workspace answered with an error");
    public static readonly ProblemType WorkspaceThrottled = new("workspace-throttled", 503, "The Databricks workspace is throttling requests");
    public static readonly ProblemType StorageUnavailable = new("storage-unavailable", 503, "The state store is unavailable");
    public static readonly ProblemType Internal = new("internal-error", 500, "An unexpected error occurred");

    /// <summary>For kinds Core names itself (ValidationException.ErrorType etc.): same URI scheme, given status.</summary>
    public static ProblemType FromCore(string errorType, int status, string title) => new(errorType, status, title);
}
