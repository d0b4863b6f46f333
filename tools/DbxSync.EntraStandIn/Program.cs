using System.Runtime.InteropServices;
using System.Text.Json;
using DbxSync.EntraStandIn;

// Usage: DbxSync.EntraStandIn --port N --cert-out FILE --state-out FILE --tenant GUID
// Registers one app (client secret) and a system-assigned identity in the tenant and writes their ids, the secret,
// the identity header and the authority to --state-out (mode 600) for ./dbxsync up. Nothing secret is printed.
var flags = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
    flags[args[i]] = args[i + 1];
if (!flags.TryGetValue("--tenant", out var tenant) || !Guid.TryParse(tenant, out _))
{
    Console.Error.WriteLine("Usage: DbxSync.EntraStandIn --port N --tenant GUID [--cert-out FILE] [--state-out FILE]");
    return 2;
}

var identity = new ManagedIdentity(tenant, Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
await using var server = await EntraStandInServer.StartAsync(new EntraStandInOptions
{
    Port = flags.TryGetValue("--port", out var port) ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : 0,
    SystemAssignedIdentity = identity,
    CertificateOutputPath = flags.GetValueOrDefault("--cert-out"),
});
var app = server.RegisterApplication(tenant, "dbxsync-entra-app");
if (flags.TryGetValue("--state-out", out var statePath))
{
    var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
    if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    await using (var stream = new FileStream(statePath, streamOptions))
        await JsonSerializer.SerializeAsync(stream, new Dictionary<string, string>
        {
            ["authority"] = server.Authority.ToString(),
            ["tenant_id"] = tenant,
            ["identity_endpoint"] = server.IdentityEndpoint.ToString(),
            ["identity_header"] = server.IdentityHeader,
            ["managed_identity_client_id"] = identity.ClientId,
            ["managed_identity_principal_id"] = identity.PrincipalId,
            ["client_id"] = app.ClientId,
            ["client_secret"] = app.ClientSecret,
        });
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
// Scripts wait for this exact line.
Console.WriteLine($"EntraStandIn listening on {server.Authority.GetLeftPart(UriPartial.Authority)}");
try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
return 0;
