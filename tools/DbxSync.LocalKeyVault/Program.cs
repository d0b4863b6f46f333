using System.Runtime.InteropServices;
using DbxSync.LocalKeyVault;
using Microsoft.Extensions.Logging;

LocalKeyVaultOptions options;
try
{
    options = LocalKeyVaultCommandLine.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LocalKeyVaultCommandLine.Usage);
    return 2;
}

options.ConfigureLogging = logging => logging
    .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
    .AddFilter("Microsoft", LogLevel.Warning)
    .SetMinimumLevel(LogLevel.Information);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

await using var server = await LocalKeyVaultServer.StartAsync(options, stop.Token);
// Scripts wait for this exact line before using the vault.
Console.WriteLine($"LocalKeyVault listening on {server.VaultUri.GetLeftPart(UriPartial.Authority)}");

try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
return 0;
