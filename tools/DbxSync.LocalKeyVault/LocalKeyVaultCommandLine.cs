using System.Globalization;

namespace DbxSync.LocalKeyVault;

/// <summary>Turns the executable's arguments into options. Small enough not to need a parser library.</summary>
internal static class LocalKeyVaultCommandLine
{
    public const string Usage = """
        DbxSync.LocalKeyVault - a local Key Vault-compatible HTTPS endpoint (development only)

        Usage: dotnet DbxSync.LocalKeyVault.dll --token <dev-token> [options]
          --port <n>              port to listen on (0 = any free port; default 8443)
          --host <ip|localhost>   address to bind (default 127.0.0.1)
          --token <t>             the bearer token clients must send (or env DBXSYNC_LOCALKV_TOKEN)
          --tenant <id>           tenant named in the 401 challenge
          --cert-out <path>       write the server certificate (public PEM) here
          --cert-pfx <path>       reuse this PFX; created there on first start
          --cert-password <p>     password of the PFX
          --data-file <path>      persist secrets to this JSON file (plain text!)
          --no-purge              simulate purge protection (purge answers 403)
        """;

    public static LocalKeyVaultOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LocalKeyVaultOptions { Port = 8443, AcceptedToken = Environment.GetEnvironmentVariable("DBXSYNC_LOCALKV_TOKEN") ?? "" };
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--port": options.Port = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--host": options.Host = Next(); break;
                case "--token": options.AcceptedToken = Next(); break;
                case "--tenant": options.TenantId = Next(); break;
                case "--cert-out": options.CertificateOutputPath = Next(); break;
                case "--cert-pfx": options.CertificatePfxPath = Next(); break;
                case "--cert-password": options.CertificatePfxPassword = Next(); break;
                case "--data-file": options.DataFilePath = Next(); break;
                case "--no-purge": options.PurgeAllowed = false; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        if (string.IsNullOrEmpty(options.AcceptedToken))
            throw new ArgumentException("--token (or DBXSYNC_LOCALKV_TOKEN) is required.");
        return options;
    }
}
