using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DbxSync.Console.Tests;

/// <summary>
/// The console at the app's URL (<c>/</c>) reaches the overview under both auth modes: with an API token, and under
/// easyauth through the local host's stand-in for App Service Authentication (the console sends the browser to
/// /.auth/login/aad, which comes back to / with a session).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSignInTests(ConsoleStack stack)
{
    [Fact]
    public async Task Tokens_mode_console_at_the_root_reaches_the_overview()
    {
        var page = await stack.NewPageAsync();
        var response = await page.GotoAsync(stack.BaseAddress.ToString());
        Assert.Equal(200, response!.Status);
        Assert.Equal(stack.BaseAddress.AbsolutePath, new Uri(page.Url).AbsolutePath);
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Easyauth_console_at_the_root_signs_in_through_the_platform_and_reaches_the_overview()
    {
        const string principal = "3f1c2a9e-5b7d-4c1e-9a2f-0d6e8b4c7a15";
        await using var host = await stack.StartEasyAuthHostAsync(principal);
        var page = await stack.NewPageAsync();
        await page.GotoAsync(host.BaseUrl.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByText("This app signs you in with your organisation account.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await stack.ScreenshotAsync(page, "easyauth-overview");
        await page.Context.CloseAsync();
    }
}
