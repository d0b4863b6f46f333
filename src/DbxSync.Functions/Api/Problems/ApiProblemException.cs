namespace DbxSync.Functions.Api.Problems;

/// <summary>An HTTP-level refusal raised by the API layer itself (body, headers, route values).</summary>
public sealed class ApiProblemException(ProblemType type, string detail, string? field = null) : Exception(detail)
{
    public ProblemType Type { get; } = type;
    public string? Field { get; } = field;
}
