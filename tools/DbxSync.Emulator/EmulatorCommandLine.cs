using System.Globalization;

namespace DbxSync.Emulator;

/// <summary>Turns DbxSync.Emulator's flags (applied over --config) into options.</summary>
public static class EmulatorCommandLine
{
    public const string Usage = """
        Usage: DbxSync.Emulator [options]
          --port N                       port on 127.0.0.1 (0 = free port; default 8080)
          --data-dir DIR                 engine data and result spool (default ./emulator-data)
          --config FILE                  emulator.json with service_principals, personal_access_tokens, warehouse, faults
          --credentials-out FILE         write host, client_id, client_secret, token, warehouse_id here (mode 600)
          --admin-token TOKEN            require X-Emulator-Admin-Token on /emulator/* (else loopback-only)
          --token-lifetime SECONDS       OAuth token lifetime (default 3600)
          --chunk-rows N                 rows per result chunk (default 10000)
          --chunk-bytes N                byte cap per result chunk (default 4 MiB)
          --external-link-lifetime S     EXTERNAL_LINKS expiry (default 900)
          --result-retention S           SUCCEEDED -> CLOSED after (default 3600)
          --statement-retention S        statement forgotten (404) after (default 43200)
          --fault-429-rate X             share 0..1 of API requests answered 429
          --fault-503-rate X             share 0..1 of API requests answered 503
          --fault-retry-after S          Retry-After on injected 429/503 (default 1)
          --fault-paths P1,P2            only inject on these path prefixes (default /api/)
          --fault-statement-delay-ms N   extra RUNNING time per statement
          --fault-chunk-delay-ms N       serve a statement's result chunks one per N ms (a slow result stream)
          --fault-seed N                 reproducible fault sequence
          --entra-authority URL          accept Entra ID tokens signed by this authority (the local Entra stand-in)
          --entra-cert FILE              the authority's TLS certificate (PEM), trusted by thumbprint
          --entra-tenant GUID            the workspace's tenant (tokens must come from https://sts.windows.net/GUID/)
          --azure-contributors ID1,ID2   application ids with Contributor on the workspace resource
          --quiet                        no request logging
        """;

    public static EmulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions { Port = 8080, DataDirectory = Path.GetFullPath("emulator-data"), ConsoleLogging = true };
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--quiet")
            {
                options.ConsoleLogging = false;
                continue;
            }
            if (!flag.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{flag}'.");
            var equals = flag.IndexOf('=');
            if (equals > 0)
                flags[flag[..equals]] = flag[(equals + 1)..];
            else if (i + 1 < args.Count)
                flags[flag] = args[++i];
            else
                throw new ArgumentException($"Flag {flag} needs a value.");
        }

        if (flags.Remove("--config", out var configPath))
            EmulatorConfigFile.Load(configPath).ApplyTo(options);

        foreach (var (flag, value) in flags)
        {
            switch (flag)
            {
                case "--port": options.Port = Int(flag, value); break;
                case "--data-dir": options.DataDirectory = Path.GetFullPath(value); break;
                case "--credentials-out": options.CredentialsOutputPath = value; break;
                case "--admin-token": options.AdminToken = value; break;
                case "--token-lifetime": options.TokenLifetime = Seconds(flag, value); break;
                case "--chunk-rows": options.ChunkRowCount = Int(flag, value); break;
                case "--chunk-bytes": options.ChunkByteLimit = Int(flag, value); break;
                case "--external-link-lifetime": options.ExternalLinkLifetime = Seconds(flag, value); break;
                case "--result-retention": options.ResultRetention = Seconds(flag, value); break;
                case "--statement-retention": options.StatementRetention = Seconds(flag, value); break;
                case "--fault-429-rate": options.Faults.ThrottleRate = Rate(flag, value); break;
                case "--fault-503-rate": options.Faults.UnavailableRate = Rate(flag, value); break;
                case "--fault-retry-after": options.Faults.RetryAfterSeconds = Int(flag, value); break;
                case "--fault-paths": options.Faults.PathPrefixes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
                case "--fault-statement-delay-ms": options.Faults.StatementDelay = TimeSpan.FromMilliseconds(Int(flag, value)); break;
                case "--fault-chunk-delay-ms": options.Faults.ChunkDelay = TimeSpan.FromMilliseconds(Int(flag, value)); break;
                case "--fault-seed": options.Faults.Seed = Int(flag, value); break;
                case "--entra-authority": options.Entra.Authority = new Uri(value.TrimEnd('/') + "/"); break;
                case "--entra-cert": options.Entra.AuthorityCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(value)); break;
                case "--entra-tenant": options.Entra.TenantId = Guid.TryParse(value, out _) ? value : throw new ArgumentException($"{flag} needs a tenant GUID, got '{value}'."); break;
                case "--azure-contributors":
                    foreach (var id in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) options.Entra.Contributors[id] = true;
                    break;
                default: throw new ArgumentException($"Unknown flag {flag}.");
            }
        }
        return options;
    }

    private static int Int(string flag, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : throw new ArgumentException($"{flag} needs a non-negative integer, got '{value}'.");

    private static TimeSpan Seconds(string flag, string value) => TimeSpan.FromSeconds(Int(flag, value));

    private static double Rate(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1
            ? parsed
            : throw new ArgumentException($"{flag} needs a share between 0 and 1, got '{value}'.");
}
