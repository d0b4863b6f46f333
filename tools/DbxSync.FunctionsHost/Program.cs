using System.Net;
using System.Net.Sockets;
using DbxSync.FunctionsHost.Bindings;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Http;
using DbxSync.FunctionsHost.Triggers;
using DbxSync.FunctionsHost.Worker;
using Microsoft.AspNetCore.Server.Kestrel.Core;

LocalHostOptions options;
try
{
    options = LocalHostOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(LocalHostOptions.Usage);
    return 2;
}

var grpcPort = FreeLoopbackPort();
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("Grpc", LogLevel.Warning);
builder.Logging.AddFilter("Yarp", LogLevel.Warning);
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.GracePeriod + TimeSpan.FromSeconds(10));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
    // The worker dials the host over plain-text HTTP/2 (h2c) on loopback.
    kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
});

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(new AppSettings(options.SettingsFile));
builder.Services.AddSingleton(HostJson.Load(options.AppDirectory));
builder.Services.AddSingleton(new GrpcEndpoint(new Uri($"http://127.0.0.1:{grpcPort}/")));
builder.Services.AddGrpc(grpc =>
{
    grpc.MaxReceiveMessageSize = null;
    grpc.MaxSendMessageSize = null;
});
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<WorkerSupervisor>();
builder.Services.AddHostedService(services => services.GetRequiredService<WorkerSupervisor>());
builder.Services.AddSingleton<FunctionInvoker>();
builder.Services.AddSingleton<QueueMessageWatcher>();
builder.Services.AddSingleton<QueueOutputBinding>();
builder.Services.AddSingleton<HttpFunctionForwarder>();
builder.Services.AddSingleton<FunctionEndpointDataSource>();
builder.Services.AddTriggerListeners();

var app = builder.Build();
app.UseMiddleware<EasyAuthStandIn>();
app.UseRouting();
app.MapGrpcService<FunctionRpcService>();
app.MapHostEndpoints();
((IEndpointRouteBuilder)app).DataSources.Add(app.Services.GetRequiredService<FunctionEndpointDataSource>());
app.Logger.LogInformation("Local Functions host for {App}: HTTP on http://{Address}:{Port}/, worker gRPC on 127.0.0.1:{GrpcPort}",
    options.AppDirectory, options.ListenAddress, options.Port, grpcPort);
if (options.StopOnStdinClose)
{
    _ = Task.Run(async () =>
    {
        await Console.OpenStandardInput().CopyToAsync(Stream.Null);
        app.Logger.LogInformation("Standard input closed: stopping.");
        app.Lifetime.StopApplication();
    });
}

await app.RunAsync();
return 0;

static int FreeLoopbackPort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
