using System.Text.Json.Nodes;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Worker;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace DbxSync.FunctionsHost.Http;

/// <summary>
/// One ASP.NET Core endpoint per HTTP-triggered function, built from the worker's metadata (route template with its
/// parameters, constraints and optional segments, methods, host.json routePrefix), so ASP.NET Core routing answers
/// 404 for an unknown route and 405 for a wrong method, as the real host's routing does.
/// </summary>
public sealed class FunctionEndpointDataSource : EndpointDataSource
{
    private readonly HostJson _hostJson;
    private readonly HttpFunctionForwarder _forwarder;
    private readonly object _gate = new();
    private IReadOnlyList<Endpoint> _endpoints = [];
    private CancellationTokenSource _changed = new();
    private string _signature = "";

    public FunctionEndpointDataSource(WorkerSupervisor supervisor, HostJson hostJson, HttpFunctionForwarder forwarder)
    {
        _hostJson = hostJson;
        _forwarder = forwarder;
        supervisor.WorkerReady += Update;
    }

    public override IReadOnlyList<Endpoint> Endpoints
    {
        get { lock (_gate) return _endpoints; }
    }

    public override IChangeToken GetChangeToken()
    {
        lock (_gate) return new CancellationChangeToken(_changed.Token);
    }

    private void Update(WorkerConnection worker)
    {
        var functions = worker.Functions.Values.Where(f => f.TriggerType == "httptrigger").OrderBy(f => f.Name).ToList();
        var signature = string.Join("|", functions.Select(f => f.Name + ":" + f.Trigger.ToJsonString()));
        CancellationTokenSource previous;
        lock (_gate)
        {
            if (signature == _signature)
                return;
            _signature = signature;
            _endpoints = functions.Select(CreateEndpoint).ToList();
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
    }

    private Endpoint CreateEndpoint(FunctionDescriptor function)
    {
        var route = function.TriggerString("route") is { Length: > 0 } r ? r : function.Name;
        var template = string.IsNullOrEmpty(_hostJson.RoutePrefix) ? route.TrimStart('/') : $"{_hostJson.RoutePrefix}/{route.TrimStart('/')}";
        var methods = (function.Trigger["methods"] as JsonArray)?.Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() ?? [];
        var metadata = new List<object> { new HttpFunctionMetadata(function.Name, AuthLevel(function)) };
        if (methods.Count > 0)
            metadata.Add(new HttpMethodMetadata(methods));
        return new RouteEndpoint(
            context => _forwarder.ForwardAsync(context, function.Name),
            RoutePatternFactory.Parse(template),
            order: 0,
            new EndpointMetadataCollection(metadata),
            displayName: "Function " + function.Name);
    }

    private static string AuthLevel(FunctionDescriptor function) => (function.TriggerString("authLevel") ?? "Function").ToLowerInvariant();
}

/// <summary>Which function an HTTP endpoint belongs to and its authorization level (anonymous, function, admin).</summary>
public sealed record HttpFunctionMetadata(string FunctionName, string AuthLevel);
