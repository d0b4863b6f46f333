using Microsoft.AspNetCore.Mvc;

namespace DbxSync.Functions.Api.Problems;

/// <summary>An RFC 7807 answer as a function or middleware result.</summary>
public sealed class ProblemResult(ProblemType type, string detail, string? field = null) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => ProblemWriter.WriteAsync(context.HttpContext, type, detail, field);
}
