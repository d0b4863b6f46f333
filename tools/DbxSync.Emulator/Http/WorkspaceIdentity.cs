namespace DbxSync.Emulator.Http;

/// <summary>The one workspace this emulator plays: its ids appear in response headers and in host metadata.</summary>
public static class WorkspaceIdentity
{
    /// <summary>Numeric like a real workspace id (the "o=" in workspace URLs, x-databricks-org-id).</summary>
    public const string WorkspaceId = "1234567890123456";

    /// <summary>A Databricks account id is a UUID.</summary>
    public const string AccountId = "00000000-0000-4000-8000-00000000e001";
}
