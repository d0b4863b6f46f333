using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>Every template and parameter file in infra/ compiles and lints with no diagnostic at all, by the real Bicep CLI.</summary>
public sealed class BicepCliTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbxsync-bicep-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Every_template_builds_without_diagnostics()
    {
        var outDir = Path.Combine(_scratch, "arm");
        // One CLI process for all templates: each start costs seconds on a loaded 2-core machine.
        BicepCli.Run(AppLayout.InfraDirectory, "build", "--pattern", "**/*.bicep", "--outdir", outDir).AssertClean("bicep build infra/**/*.bicep");

        var templates = AppLayout.BicepFiles().Where(f => f.EndsWith(".bicep", StringComparison.Ordinal));
        Assert.All(templates, t => Assert.True(File.Exists(Path.Combine(outDir, Path.ChangeExtension(t, ".json"))), $"bicep build wrote no ARM JSON for {t}."));
    }

    [Fact]
    public void The_parameter_file_builds_without_diagnostics()
    {
        BicepCli.Run(AppLayout.InfraDirectory, "build-params", "main.bicepparam", "--outfile", Path.Combine(_scratch, "main.parameters.json"))
            .AssertClean("bicep build-params main.bicepparam");
    }

    [Fact]
    public void Every_template_and_parameter_file_lints_without_diagnostics()
    {
        BicepCli.Run(AppLayout.InfraDirectory, "lint", "--pattern", "**/*.bicep*").AssertClean("bicep lint infra/**/*.bicep*");
    }

    [Fact]
    public void Infra_holds_the_main_and_event_grid_deployments_and_their_modules()
    {
        Assert.Equal(
            new[] { "eventgrid.bicep", "main.bicep", "main.bicepparam", "modules/functionapp.bicep", "modules/keyvault.bicep",
                    "modules/monitoring.bicep", "modules/rbac.bicep", "modules/storage.bicep" },
            AppLayout.BicepFiles());
    }

    [Fact]
    public void A_lint_warning_is_caught_so_clean_runs_mean_something()
    {
        // The repository's linter configuration, on a file with an unused parameter and an output leaking a key.
        File.Copy(Path.Combine(AppLayout.InfraDirectory, "bicepconfig.json"), Path.Combine(_scratch, "bicepconfig.json"));
        File.WriteAllText(Path.Combine(_scratch, "bad.bicep"), """
            param unused string
            resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
              name: 'stexample'
            }
            output key string = st.listKeys().keys[0].value
            """);

        var run = BicepCli.Run(_scratch, "lint", "bad.bicep");

        Assert.Contains(run.Diagnostics, d => d.Contains("Warning no-unused-params", StringComparison.Ordinal));
        // bicepconfig.json raises the secret-output rule to an error, so it also blocks `az deployment`.
        Assert.Contains(run.Diagnostics, d => d.Contains("Error outputs-should-not-contain-secrets", StringComparison.Ordinal));
        Assert.NotEqual(0, run.ExitCode);
    }

    [Fact]
    public void The_cli_is_the_pinned_nuget_version()
    {
        var run = BicepCli.Run(_scratch, "--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Bicep CLI version 0.49.2", run.Output);
    }
}
