using System.Text.RegularExpressions;
using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>Role assignments use documented built-in roles, deterministic names and the least privilege the app needs.</summary>
public class RoleAssignmentTests
{
    /// <summary>Built-in role definition ids (Azure built-in roles; reference/azure-functions-custom-handler.md §8.4).</summary>
    private static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"] = "Storage Blob Data Reader",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"] = "Storage Queue Data Message Sender",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["00482a5a-887f-4fb3-b363-3b7fe8e74483"] = "Key Vault Administrator",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    private static readonly Regex Guid = new("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", RegexOptions.IgnoreCase);

    private static string Compact(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    [Fact]
    public void Every_role_id_is_a_documented_built_in_role_named_for_its_role()
    {
        var found = 0;
        foreach (var path in AppLayout.AllBicepPaths())
        {
            var file = BicepFile.Load(path);
            var tokens = file.Tokens;
            for (var i = 0; i < tokens.Count; i++)
            {
                if (tokens[i].Kind != BicepTokenKind.String || !Guid.IsMatch(tokens[i].Text)) continue;
                found++;
                Assert.True(BuiltInRoles.TryGetValue(tokens[i].Text, out var role),
                    $"{Path.GetFileName(path)}:{tokens[i].Line}: {tokens[i].Text} is not a documented built-in role id.");
                // 'storageBlobDataOwner: <id>' or 'var storageQueueDataMessageSenderRoleId = <id>'.
                var label = tokens[i - 1].Is(":") ? tokens[i - 2].Text : tokens[i - 1].Is("=") ? tokens[i - 2].Text : "";
                label = Regex.Replace(label, "RoleId$", "");
                Assert.True(Compact(label) == Compact(role),
                    $"{Path.GetFileName(path)}:{tokens[i].Line}: {tokens[i].Text} is {role} but is labelled '{label}'.");
            }
        }
        Assert.True(found >= 6, $"Only {found} role ids found in infra/**/*.bicep.");
    }

    [Fact]
    public void Role_assignments_have_deterministic_names_built_in_definitions_and_a_principal_type()
    {
        foreach (var path in AppLayout.AllBicepPaths())
        {
            var file = BicepFile.Load(path);
            var text = File.ReadAllText(path);
            foreach (Match assignment in Regex.Matches(text, @"resource (\w+) 'Microsoft\.Authorization/roleAssignments@[^']+' = (?:if \([^)]*\) )?\{(?<body>.*?)\n\}", RegexOptions.Singleline))
            {
                var body = assignment.Groups["body"].Value;
                var name = assignment.Groups[1].Value;
                // Names derived from ids are known when deployment starts (principalId is not: BCP120) and stay stable on redeploy.
                Assert.Matches(new Regex(@"name: guid\([^,]+, [^,]+, [^)]+\)"), body);
                Assert.DoesNotMatch(new Regex(@"name: guid\([^)]*principalId"), body);
                Assert.Contains("roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ", body);
                Assert.Matches(new Regex(@"principalType: "), body);
                Assert.True(Regex.IsMatch(body, @"scope: \w+"), $"{Path.GetFileName(path)}: {name} must be scoped to the resource it grants access to.");
            }
        }
    }

    [Fact]
    public void The_app_identity_gets_exactly_the_roles_it_needs()
    {
        var rbac = File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, "modules/rbac.bicep"));
        var appRoles = Regex.Matches(rbac, @"resource (app\w+) 'Microsoft\.Authorization/roleAssignments@[^']+' = \{(?<body>.*?)\n\}", RegexOptions.Singleline)
            .Select(m => (Scope: Regex.Match(m.Groups["body"].Value, @"scope: (\w+)").Groups[1].Value,
                          Role: Regex.Match(m.Groups["body"].Value, @"roleDefinitions', roleIds\.(\w+)\)").Groups[1].Value,
                          ServicePrincipal: m.Groups["body"].Value.Contains("principalType: 'ServicePrincipal'")))
            .ToList();
        var expected = new[]
        {
            ("storageAccount", "storageBlobDataOwner"),
            ("storageAccount", "storageQueueDataContributor"),
            ("storageAccount", "storageTableDataContributor"),
            ("keyVault", "keyVaultSecretsOfficer"),
            ("applicationInsights", "monitoringMetricsPublisher"),
        };
        Assert.Equal(expected.Order(), appRoles.Select(r => (r.Scope, r.Role)).Order());
        Assert.All(appRoles, r => Assert.True(r.ServicePrincipal));
    }

    [Fact]
    public void Event_grid_delivers_with_its_own_identity_allowed_only_to_send_queue_messages()
    {
        var eventGrid = File.ReadAllText(Path.Combine(AppLayout.InfraDirectory, "modules/eventgrid.bicep"));
        Assert.Matches(new Regex(@"identity: \{ type: 'SystemAssigned' \}"), eventGrid);
        Assert.Contains("deliveryWithResourceIdentity", eventGrid);
        Assert.Contains("principalId: systemTopic.identity.principalId", eventGrid);
        Assert.Contains("scope: blobEventsQueue", eventGrid);
        Assert.Contains("dependsOn: [ topicQueueMessageSender ]", eventGrid);
    }
}
