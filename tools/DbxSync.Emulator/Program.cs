using DbxSync.Emulator;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(EmulatorCommandLine.Usage);
    return 0;
}

EmulatorOptions options;
try
{
    options = EmulatorCommandLine.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or IOException or System.Text.Json.JsonException or InvalidDataException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(EmulatorCommandLine.Usage);
    return 2;
}

if (options.EngineFactory is null)
{
    Console.Error.WriteLine("The SQL engine is not wired into this build yet (see EmulatorOptions.EngineFactory).");
    return 3;
}

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    shutdown.Cancel();
};

await using var emulator = await EmulatorServer.StartAsync(options, cancellationToken: shutdown.Token);
// Scripts wait for exactly this line; credentials go only to --credentials-out.
Console.WriteLine($"Databricks emulator listening on {emulator.BaseUrl.ToString().TrimEnd('/')}");
// The hosting lifetime takes over SIGTERM (it cancels the signal's default exit and only requests a stop), so
// waiting on ProcessExit alone would never wake up: wait for either.
using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, emulator.Stopping);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
