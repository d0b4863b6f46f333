namespace DbxSync.Functions.Api.OpenApi;

/// <summary>What /api/openapi.json says about an HTTP function; its route and methods come from the trigger itself.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag => tag;
    public string Summary => summary;
    public Type? RequestBody { get; set; }
    public Type? Response { get; set; }
    public int Status { get; set; } = 200;
    public string? ResponseContentType { get; set; }
}
