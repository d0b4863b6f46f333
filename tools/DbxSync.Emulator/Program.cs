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
AppDomain.CurrentDomain.ProcessExit += (_, _) => shutdown.Cancel();

await using var emulator = await EmulatorServer.StartAsync(options, cancellationToken: shutdown.Token);
// Scripts wait for exactly this line; credentials go only to --credentials-out.
Console.WriteLine($"Databricks emulator listening on {emulator.BaseUrl.ToString().TrimEnd('/')}");
try
{
    await Task.Delay(Timeout.Infinite, shutdown.Token);
}
catch (OperationCanceledException)
{
}
return 0;
