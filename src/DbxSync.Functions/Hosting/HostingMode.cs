namespace DbxSync.Functions.Hosting;

public enum HostingKind
{
    /// <summary>Started by the Azure Functions host: it owns triggers, we answer on loopback.</summary>
    CustomHandler,
    /// <summary>`serve`: no Functions host, so we drive our own timers.</summary>
    Standalone,
}

public sealed record HostingMode(HostingKind Kind, int Port)
{
    public const int DefaultStandalonePort = 7071;

    public bool IsStandalone => Kind == HostingKind.Standalone;

    /// <summary>Null when neither the host's port variable nor the `serve` verb is present.</summary>
    public static HostingMode? Resolve(string[] args, IConfiguration configuration)
    {
        if (configuration[SettingNames.CustomHandlerPort] is { Length: > 0 } hostPort)
            return new HostingMode(HostingKind.CustomHandler, ParsePort(hostPort, SettingNames.CustomHandlerPort));
        if (args.Length > 0 && args[0] == "serve")
            return new HostingMode(HostingKind.Standalone, configuration["port"] is { Length: > 0 } p ? ParsePort(p, "--port") : DefaultStandalonePort);
        return null;
    }

    private static int ParsePort(string value, string source)
        => int.TryParse(value, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{source} must be a TCP port number, got '{value}'.");
}
