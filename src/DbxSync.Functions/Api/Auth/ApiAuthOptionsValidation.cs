using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Api.Auth;

/// <summary>
/// Checked when the worker starts (ValidateOnStart), so a configuration that would open the API stops the app instead
/// of serving: an unknown or removed mode, and easyauth where nothing strips client-sent X-MS-CLIENT-PRINCIPAL
/// headers. In Azure, App Service Authentication strips them (the Bicep turns it on with the mode). Locally (Core
/// Tools and the local host run as Development) only the local host's easyauth stand-in does that, and it says so
/// by setting WEBSITE_AUTH_ENABLED=True, as App Service does when its authentication is on.
/// </summary>
public sealed class ApiAuthOptionsValidation(IConfiguration configuration) : IValidateOptions<ApiAuthOptions>
{
    public const string AuthEnabledSetting = "WEBSITE_AUTH_ENABLED";
    public const string EnvironmentSetting = "AZURE_FUNCTIONS_ENVIRONMENT";

    public ValidateOptionsResult Validate(string? name, ApiAuthOptions options)
    {
        ApiAuthMode mode;
        try
        {
            mode = options.ParsedMode;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        var development = string.Equals(configuration[EnvironmentSetting], "Development", StringComparison.OrdinalIgnoreCase);
        var platformAuth = string.Equals(configuration[AuthEnabledSetting], "true", StringComparison.OrdinalIgnoreCase);
        if (mode == ApiAuthMode.EasyAuth && development && !platformAuth)
            return ValidateOptionsResult.Fail(
                "DbxSync:Api:AuthMode is easyauth, but nothing in front of this local app strips client-sent X-MS-CLIENT-PRINCIPAL headers, so anyone could claim any identity. " +
                "Run it under the local Functions host with --easyauth-stand-in, or use tokens mode locally.");
        return ValidateOptionsResult.Success;
    }
}
