using DbxSync.Core.Errors;

namespace DbxSync.Functions.Api.Problems;

/// <summary>The one table from Core's exceptions to HTTP problems.</summary>
public static class ExceptionProblemMapping
{
    public static (ProblemType Type, string Detail, string? Field) Map(Exception exception) => exception switch
    {
        ApiProblemException p => (p.Type, p.Message, p.Field),
        ValidationException v => (v.ErrorType == ProblemTypes.Validation.Slug ? ProblemTypes.Validation : ProblemTypes.FromCore(v.ErrorType, 400, TitleFor(v.ErrorType)), v.Message, v.Field),
        NotFoundException n => (ProblemTypes.FromCore(n.ErrorType, 404, ProblemTypes.NotFound.Title), n.Message, null),
        ConflictException c => (ProblemTypes.FromCore(c.ErrorType, 409, ProblemTypes.Conflict.Title), c.Message, null),
        ConcurrencyException c => (ProblemTypes.PreconditionFailed, c.Message, null),
        WorkspaceException w => MapWorkspace(w),
        StorageException => (ProblemTypes.StorageUnavailable, "The state store did not answer; try again shortly.", null),
        BadHttpRequestException { StatusCode: 413 } => (ProblemTypes.PayloadTooLarge, "The body is too large.", null),
        BadHttpRequestException { StatusCode: 415 } => (ProblemTypes.UnsupportedMediaType, "Unsupported media type.", null),
        BadHttpRequestException b => (ProblemTypes.Validation with { Status = b.StatusCode is >= 400 and < 500 ? b.StatusCode : 400 }, "The request could not be read.", null),
        _ => (ProblemTypes.Internal, "An unexpected error occurred; the trace id identifies it in the logs.", null),
    };

    private static (ProblemType, string, string?) MapWorkspace(WorkspaceException w) => w.Kind switch
    {
        WorkspaceErrorKind.InvalidWorkspaceUrl => (ProblemTypes.InvalidWorkspaceUrl, w.Message, "workspace_url"),
        WorkspaceErrorKind.InvalidCredentials or WorkspaceErrorKind.PermissionDenied => (ProblemTypes.InvalidCredentials, w.Message, null),
        WorkspaceErrorKind.Unreachable => (ProblemTypes.WorkspaceUnreachable, w.Message, null),
        WorkspaceErrorKind.Throttled => (ProblemTypes.WorkspaceThrottled, w.Message, null),
        WorkspaceErrorKind.NotFound => (ProblemTypes.NotFound, w.Message, null),
        _ => (ProblemTypes.WorkspaceError, w.Message, null),
    };

    private static string TitleFor(string errorType) => errorType switch
    {
        "invalid-credentials" => ProblemTypes.InvalidCredentials.Title,
        "invalid-workspace-url" => ProblemTypes.InvalidWorkspaceUrl.Title,
        _ => ProblemTypes.Validation.Title,
    };
}
