using DbxSync.StorageFaults;

// dotnet DbxSync.StorageFaults.dll --route blob,10003,http://127.0.0.1:10000 [--route queue,...] [--route table,...]
var routes = new List<StorageRoute>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--route" && i + 1 < args.Length) routes.Add(StorageRoute.Parse(args[++i]));
    else
    {
        Console.Error.WriteLine("usage: DbxSync.StorageFaults --route SERVICE,PORT,URL [--route ...]");
        return 2;
    }
}
if (routes.Count == 0)
{
    Console.Error.WriteLine("usage: DbxSync.StorageFaults --route SERVICE,PORT,URL [--route ...]");
    return 2;
}

await using var proxy = await StorageFaultProxy.StartAsync(routes);
foreach (var (service, endpoint) in proxy.Endpoints) Console.WriteLine($"{service}: {endpoint}");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
