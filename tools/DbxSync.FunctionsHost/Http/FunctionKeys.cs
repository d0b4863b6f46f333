using System.Security.Cryptography;
using System.Text;
using DbxSync.FunctionsHost.Configuration;

namespace DbxSync.FunctionsHost.Http;

/// <summary>
/// Function keys as Azure checks them: the x-functions-key header or the code query value. Off unless a key is
/// configured (Core Tools does not check keys either). The master key passes every level.
/// </summary>
public static class FunctionKeys
{
    public static bool Authorize(HttpContext context, string authLevel, LocalHostOptions options)
    {
        if (options.FunctionKey is null && options.MasterKey is null)
            return true;
        if (authLevel == "anonymous")
            return true;
        var presented = context.Request.Headers["x-functions-key"].ToString();
        if (presented.Length == 0)
            presented = context.Request.Query["code"].ToString();
        if (presented.Length == 0)
            return false;
        if (Matches(presented, options.MasterKey))
            return true;
        return authLevel != "admin" && Matches(presented, options.FunctionKey);
    }

    private static bool Matches(string presented, string? key) =>
        key is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key));
}
