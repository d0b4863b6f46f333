using DbxSync.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
// SIGTERM too (a soak in the background stopped with kill): the command ends as on Ctrl-C, the soak with its summary.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context => { context.Cancel = true; cancel.Cancel(); });
try
{
    return args switch
    {
        ["run", var configId] => await RunCommand.ExecuteAsync(configId, cancel.Token),
        ["demo", ..] => await DemoCommand.ExecuteAsync(args[1..], cancel.Token),
        ["demo-datasets", ..] => await DatasetsDemoCommand.ExecuteAsync(cancel.Token),
        ["soak", ..] => await SoakCommand.ExecuteAsync(args[1..], cancel.Token),
        _ => Usage(),
    };
}
catch (Exception ex) when (ex is ApiException or InvalidOperationException or HttpRequestException or TimeoutException or ArgumentException)
{
    Console.Error.WriteLine($"dbxsync: {ex.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine($"usage: dbxsync-cli run CONFIG_ID | dbxsync-cli demo | dbxsync-cli demo-datasets | dbxsync-cli {SoakCommand.Usage}");
    return 2;
}
