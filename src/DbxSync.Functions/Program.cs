using DbxSync.Functions.Hosting;

var app = DbxSyncApplication.Build(args);
if (app is null)
{
    Console.Error.WriteLine(DbxSyncApplication.Usage);
    return 2;
}
await app.RunAsync();
return 0;
