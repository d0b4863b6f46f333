using System.Text.Json;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>Role assignments use documented built-in roles, deterministic names and the least privilege the app needs.</summary>
public class RoleAssignmentTests
{
    /// <summary>Built-in role definition ids (Azure built-in roles; reference/azure-functions-hosting.md §8.4).</summary>
    private static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    private sealed record Assignment(string Scope, string Role, string PrincipalId, string PrincipalType, string Name);

    private static List<Assignment> Assignments(DeploymentSnapshot snapshot) =>
        snapshot.OfType("Microsoft.Authorization/roleAssignments").Select(Read).ToList();

    private static Assignment Read(JsonElement assignment)
    {
        var id = assignment.StringAt("id")!;
        var scope = id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
        var definition = assignment.StringAt("properties.roleDefinitionId")!;
        Assert.StartsWith($"/subscriptions/{DeploymentSnapshot.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/", definition);
        var roleId = definition.Split('/').Last();
        Assert.True(BuiltInRoles.TryGetValue(roleId, out var role), $"{id}: {roleId} is not a built-in role this app is meant to use.");
        return new Assignment(scope.Split('/').Last(), role, assignment.StringAt("properties.principalId")!,
            assignment.StringAt("properties.principalType")!, assignment.StringAt("name")!);
    }

    [Fact]
    public void The_app_identity_gets_exactly_the_roles_it_needs_on_the_resources_it_uses()
    {
        var snapshot = DeploymentSnapshot.Main;
        string NameOf(string type) => snapshot.Single(type).StringAt("name")!;
        var storage = NameOf("Microsoft.Storage/storageAccounts");
        var vault = NameOf("Microsoft.KeyVault/vaults");
        var insights = NameOf("Microsoft.Insights/components");
        var app = Assignments(snapshot);

        Assert.All(app, a => Assert.Contains(".identity.principalId", a.PrincipalId));
        Assert.All(app, a => Assert.Equal("ServicePrincipal", a.PrincipalType));
        Assert.Equal(
            new[]
            {
                // Blob leases (timer singleton, host lock), blob trigger receipts, the Flex package container, and the app's data.
                (storage, "Storage Blob Data Owner"),
                // sync-runs and its poison queue, and the blob trigger's internal queue.
                (storage, "Storage Queue Data Contributor"),
                (storage, "Storage Table Data Contributor"),
                // The API stores, rotates and deletes principal secrets.
                (vault, "Key Vault Secrets Officer"),
                (insights, "Monitoring Metrics Publisher"),
            }.Order(),
            app.Select(a => (a.Scope, a.Role)).Order());
    }

    [Fact]
    public void Assignment_names_are_stable_guids()
    {
        var first = Assignments(DeploymentSnapshot.Main).Select(a => a.Name).ToList();
        Assert.All(first, name => Assert.True(Guid.TryParse(name, out _), $"{name} is not a GUID."));
        Assert.Equal(first.Count, first.Distinct().Count());
        // Same resources, same names whatever else changes: a redeployment updates assignments instead of
        // failing on duplicates (the optional operator role comes on top).
        var again = Assignments(DeploymentSnapshot.MainWithOptions).Where(a => a.PrincipalId != DeploymentSnapshot.OperatorPrincipalId)
            .Select(a => a.Name).ToList();
        Assert.Equal(first.Order(), again.Order());
    }

    [Fact]
    public void An_operator_gets_blob_data_contributor_only_when_named()
    {
        Assert.DoesNotContain(Assignments(DeploymentSnapshot.Main), a => a.Role == "Storage Blob Data Contributor");

        var operatorRole = Assert.Single(Assignments(DeploymentSnapshot.MainWithOptions), a => a.PrincipalId == DeploymentSnapshot.OperatorPrincipalId);
        Assert.Equal("Storage Blob Data Contributor", operatorRole.Role);
        Assert.Equal("Group", operatorRole.PrincipalType);
    }
}
