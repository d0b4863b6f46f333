using System.Runtime.InteropServices;
using System.Text.Json;
using DbxSync.EntraStandIn;

// Usage: DbxSync.EntraStandIn --port N --state FILE [--cert-out FILE]
// The state file (mode 600) holds the tenant, the app's system-assigned identity, one app registration with its client
// secret, and the identity header. It is created on first start and reused after, so principals registered against
// this stand-in keep working across ./dbxsync down/up. Nothing secret is printed.
var flags = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
    flags[args[i]] = args[i + 1];
if (!flags.TryGetValue("--state", out var statePath))
{
    Console.Error.WriteLine("Usage: DbxSync.EntraStandIn --port N --state FILE [--cert-out FILE]");
    return 2;
}

var state = File.Exists(statePath)
    ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(statePath))!
    : new Dictionary<string, string>
    {
        ["tenant_id"] = Guid.NewGuid().ToString(),
        ["managed_identity_client_id"] = Guid.NewGuid().ToString(),
        ["managed_identity_principal_id"] = Guid.NewGuid().ToString(),
        ["client_id"] = Guid.NewGuid().ToString(),
        ["client_secret"] = "stand-in~" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)),
        ["identity_header"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
    };
var tenant = state["tenant_id"];

await using var server = await EntraStandInServer.StartAsync(new EntraStandInOptions
{
    Port = flags.TryGetValue("--port", out var port) ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : 0,
    SystemAssignedIdentity = new ManagedIdentity(tenant, state["managed_identity_client_id"], state["managed_identity_principal_id"]),
    Applications = [new AppRegistration(tenant, state["client_id"], state["client_secret"], "dbxsync-entra-app")],
    IdentityHeader = state["identity_header"],
    CertificateOutputPath = flags.GetValueOrDefault("--cert-out"),
});
state["authority"] = server.Authority.ToString();
state["identity_endpoint"] = server.IdentityEndpoint.ToString();
var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
await using (var stream = new FileStream(statePath, streamOptions))
    await JsonSerializer.SerializeAsync(stream, state);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
// Scripts wait for this exact line.
Console.WriteLine($"EntraStandIn listening on {server.Authority.GetLeftPart(UriPartial.Authority)}");
try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
return 0;
