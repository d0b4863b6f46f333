using DbxSync.Deployment.Tests.Support;

namespace DbxSync.Deployment.Tests;

/// <summary>The home-made Bicep checks must reject what the compiler would, or the template tests pass vacuously.</summary>
public class BicepCheckerSelfTests
{
    [Fact]
    public void Flags_an_undeclared_symbol_inside_an_interpolation()
    {
        var file = BicepFile.Parse("""
            param name string
            var full = '${name}-${missing}'
            """);
        Assert.Contains(file.UndeclaredReferences(), p => p.Contains("'missing'"));
        Assert.DoesNotContain(file.UndeclaredReferences(), p => p.Contains("'name'"));
    }

    [Fact]
    public void Flags_unknown_functions_but_not_keys_properties_or_loop_variables()
    {
        var file = BicepFile.Parse("""
            @description('Names.')
            param names array
            var upper = [for n in names: toUpperCase(n)]
            resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
              name: first(names)
            }
            output id string = st.id
            output pick string = empty(names) ? st.name : st.properties.primaryEndpoints.blob
            output mapped array = map(names, x => x)
            """);
        var problems = file.UndeclaredReferences();
        Assert.Single(problems);
        Assert.Contains("toUpperCase", problems[0]);
    }

    [Fact]
    public void Reads_module_params_and_defaults()
    {
        var file = BicepFile.Parse("""
            param a string
            @secure()
            param b string = ''
            module m 'modules/x.bicep' = {
              name: 'm'
              params: {
                first: a
                second: { nested: b }
              }
            }
            """);
        Assert.False(file.Params["a"].HasDefault);
        Assert.True(file.Params["b"].HasDefault);
        Assert.True(file.Params["b"].IsSecure);
        Assert.Equal(new[] { "first", "second" }, file.Modules["m"].PassedParams);
        Assert.Equal("modules/x.bicep", file.Modules["m"].RelativePath);
    }

    [Fact]
    public void Ignores_comments_and_multiline_strings()
    {
        var file = BicepFile.Parse("""
            // ghost1 in a comment
            /* ghost2
               in a block */
            var script = '''
            ghost3 ${ghost4}
            '''
            """);
        Assert.Empty(file.UndeclaredReferences());
    }

    [Theory]
    [InlineData("0 */1 * * * *", true)]
    [InlineData("0 30 2 * * mon-fri", true)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("0 61 * * * *", false)]
    public void Validates_six_field_ncrontab(string expression, bool valid)
    {
        Assert.Equal(valid, Ncrontab.IsValid(expression, out _));
    }
}
