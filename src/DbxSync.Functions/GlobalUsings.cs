// What Microsoft.NET.Sdk.Web would import implicitly; the Functions worker project uses the plain SDK.
global using Microsoft.AspNetCore.Http;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
