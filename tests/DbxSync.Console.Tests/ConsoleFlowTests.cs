using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DbxSync.Console.Tests;

/// <summary>
/// The whole labeling set-up through the console, in a real browser, from an empty stack: sign in, add a
/// connection, pick a table and its columns, create a labeling pair, run the export, import labels, pause, and
/// read a bad file's line errors. Every page is saved under .dbxsync/screenshots/.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleFlowTests(ConsoleStack stack)
{
    private static readonly TimeSpan RunWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_labeling_loop_set_up_and_watched_through_the_console()
    {
        var page = await stack.NewPageAsync();

        // 1. Sign in with the keyboard only.
        await page.GotoAsync(stack.ConsoleUrl);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await AssertEveryControlLabelledAsync(page);
        await stack.ScreenshotAsync(page, "01-sign-in");
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync("not-a-token");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("The API did not accept this credential.")).ToBeVisibleAsync();
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        Assert.DoesNotContain(ConsoleStack.AdminToken, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(ConsoleStack.AdminToken, await page.ContentAsync(), StringComparison.Ordinal);

        // 2. Register the emulator's principal; a wrong secret is refused at its field and nothing is saved.
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("emulator");
        await page.GetByLabel("Workspace URL", new() { Exact = true }).FillAsync(stack.Emulator.Host);
        await page.GetByLabel("Client id", new() { Exact = true }).FillAsync(stack.Emulator.ClientId);
        await page.GetByLabel("Client secret", new() { Exact = true }).FillAsync("wrong-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Prove and save" }).ClickAsync();
        var secretError = page.Locator("[data-field=client_secret] .field-error");
        await Expect(secretError).ToContainTextAsync("refused the credentials");
        await Expect(page.GetByLabel("Client secret", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertEveryControlLabelledAsync(page);
        await stack.ScreenshotAsync(page, "02-connections-wrong-secret");
        Assert.Empty(await ItemsAsync("/api/databricks/service-principals"));
        await page.GetByLabel("Client secret", new() { Exact = true }).FillAsync(stack.Emulator.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Prove and save" }).ClickAsync();
        var connections = page.Locator("#connections");
        await Expect(connections).ToContainTextAsync("emulator");
        await Expect(connections).ToContainTextAsync("OAuth M2M");
        await Expect(connections).ToContainTextAsync(stack.Emulator.Host);
        Assert.DoesNotContain(stack.Emulator.ClientSecret, await page.ContentAsync(), StringComparison.Ordinal);
        await stack.ScreenshotAsync(page, "03-connections");

        // 3. Browse to the table and pick pk and label from its columns.
        await page.GetByRole(AriaRole.Link, new() { Name = "Syncs" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New sync" }).ClickAsync();
        await Expect(page.GetByLabel("Kind of sync", new() { Exact = true })).ToHaveValueAsync("pair");
        await SelectWhenListedAsync(page.GetByLabel("Catalog", new() { Exact = true }), ConsoleStack.Catalog);
        await SelectWhenListedAsync(page.GetByLabel("Schema", new() { Exact = true }), ConsoleStack.Schema);
        await SelectWhenListedAsync(page.GetByLabel("Table", new() { Exact = true }), ConsoleStack.TableName);
        var pk = page.GetByLabel("Primary key column", new() { Exact = true });
        await Expect(pk.Locator("option")).ToContainTextAsync(["Choose a column", "id (bigint)", "text (string)", "label (string)"], new() { IgnoreCase = true });
        await pk.SelectOptionAsync("id");
        await page.GetByLabel("Label column", new() { Exact = true }).SelectOptionAsync("label");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("reviews");
        await page.GetByLabel("Start paused").CheckAsync();
        await AssertEveryControlLabelledAsync(page);
        await stack.ScreenshotAsync(page, "04-new-labeling-pair");

        // 4. Create the labeling pair (a table export and a table_reverse import in one step), run the export now.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "reviews export" })).ToBeVisibleAsync();
        var configs = await ItemsAsync("/api/databricks/sync-configs");
        var export = configs.Single(c => c.GetProperty("config_type").GetString() == "table");
        var import = configs.Single(c => c.GetProperty("config_type").GetString() == "table_reverse");
        Assert.Equal(ConsoleStack.Table, export.GetProperty("databricks_path").GetString());
        Assert.Equal(("id", "label"), (import.GetProperty("pk_column").GetString(), import.GetProperty("label_column").GetString()));
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Expect(page.Locator("#run-stage")).ToContainTextAsync("Finished: succeeded", new() { Timeout = (float)RunWait.TotalMilliseconds });

        // 5. The exported file's run: rows, versions, the CSV it wrote.
        var exportRun = page.Locator("#runs tbody tr").First;
        await Expect(exportRun).ToContainTextAsync("manual");
        await Expect(exportRun).ToContainTextAsync("4");
        await Expect(exportRun).ToContainTextAsync($"exports/{export.GetProperty("id").GetString()}/");
        await page.ReloadAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("up to date");
        await stack.ScreenshotAsync(page, "05-export-run");
        var exportBlob = Regex.Match(await exportRun.InnerTextAsync(), @"exports/(\S+\.csv)").Groups[1].Value;

        // 6. The labeling platform drops a labeled file; the import (resumed in the console) MERGEs it on the blob event.
        var importId = import.GetProperty("id").GetString()!;
        await page.GotoAsync($"{stack.ConsoleUrl}#/syncs/{importId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("active");
        var exported = await stack.DownloadAsync("exports", exportBlob);
        await stack.UploadAsync("labeled", $"{importId}/reviews.labeled.csv", Label(exported));
        await ReloadUntilAsync(page, "#runs", "succeeded");
        await Expect(page.Locator("#runs tbody tr").First).ToContainTextAsync("processed/");
        await stack.ScreenshotAsync(page, "06-import-run");
        var labels = (await stack.QueryAsync($"SELECT id, label FROM {ConsoleStack.Table} ORDER BY id")).Select(r => (r[0], r[1])).ToList();
        Assert.Equal([("1", "cat"), ("2", "dog"), ("3", "bird"), ("4", "fish")], labels);

        // 7. Resumed, the export is run by a timer tick; paused, the next tick passes it by although its table changed.
        var exportId = export.GetProperty("id").GetString()!;
        await page.GotoAsync($"{stack.ConsoleUrl}#/syncs/{exportId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("active");
        await ReloadUntilAsync(page, "#runs tbody tr:first-child", "timer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("paused");
        await stack.ExecuteAsync($"INSERT INTO {ConsoleStack.Table} VALUES (5, 'a cat in a hat', NULL)");
        var runsWhilePaused = await page.Locator("#runs tbody tr[data-run]").CountAsync();
        await stack.WaitForTicksAsync(2);
        // A run a tick had queued would start within a second or two (the queue is polled continuously).
        await Task.Delay(TimeSpan.FromSeconds(2));
        await page.ReloadAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("paused");
        Assert.Equal(runsWhilePaused, await page.Locator("#runs tbody tr[data-run]").CountAsync());
        // The list shows the last stored probe with its age (no warehouse statement on page load): still up to date.
        await page.GetByRole(AriaRole.Link, new() { Name = "Syncs" }).ClickAsync();
        await Expect(page.Locator("#syncs")).ToContainTextAsync("up to date (probed");
        // The config's page checks the warehouse live on request.
        await page.GetByRole(AriaRole.Link, new() { Name = "reviews export" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.Locator("#export-position")).ToContainTextAsync("1 behind");
        await stack.ScreenshotAsync(page, "07-syncs-paused-one-behind");

        // 8. A bad labeled file: the import fails, changes nothing, and its line errors are shown.
        await stack.UploadAsync("labeled", $"{importId}/bad.labeled.csv", BadFile(Label(exported)));
        await page.GotoAsync($"{stack.ConsoleUrl}#/syncs/{importId}");
        await ReloadUntilAsync(page, "#runs", "failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show line errors" }).First.ClickAsync();
        var lineErrors = page.Locator("table.line-errors");
        await Expect(lineErrors).ToBeVisibleAsync();
        await Expect(lineErrors).ToContainTextAsync("the primary key is empty");
        var lines = await lineErrors.Locator("tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Contains("3", lines);
        Assert.Contains("4", lines);
        await stack.ScreenshotAsync(page, "08-import-line-errors");
        Assert.Equal(labels, (await stack.QueryAsync($"SELECT id, label FROM {ConsoleStack.Table} WHERE id <= 4 ORDER BY id")).Select(r => (r[0], r[1])).ToList());

        // The overview, failures first (the README's picture).
        await page.GotoAsync(stack.ConsoleUrl);
        await Expect(page.Locator("#overview tbody tr").First).ToContainTextAsync("reviews import");
        await Expect(page.Locator("#overview tbody tr").First).ToContainTextAsync("failed");
        await stack.ScreenshotAsync(page, "00-overview");

        // Deleting a connection in use is refused with the configs that use it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete emulator" }).ClickAsync();
        await Expect(page.Locator("#connections [role=alert]")).ToContainTextAsync("'reviews export'");
        await Expect(page.Locator("#connections [role=alert]")).ToContainTextAsync("'reviews import'");
        await stack.ScreenshotAsync(page, "09-connection-in-use");

        // Edit with ETags: a change made elsewhere meanwhile is reported, and reload shows it.
        await page.GotoAsync($"{stack.ConsoleUrl}#/syncs/{exportId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var elsewhere = await stack.Admin.PatchAsJsonAsync($"/api/databricks/sync-configs/{exportId}", new { description = "changed elsewhere" });
        elsewhere.EnsureSuccessStatusCode();
        await page.Locator("#edit-form").GetByLabel("Poll interval (seconds)", new() { Exact = true }).FillAsync("120");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#edit-form .form-error")).ToContainTextAsync("changed elsewhere");
        await stack.ScreenshotAsync(page, "10-edit-conflict");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reload it" }).ClickAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("changed elsewhere");
        await Expect(page.Locator(".facts")).ToContainTextAsync("60 s");

        // 9. Datasets: an annotations_reverse sync with its two tables (pick lists, or typed for tables that do not
        // exist yet), annotations dropped by the platform, and the preview of the latest rows.
        await page.GetByRole(AriaRole.Link, new() { Name = "Syncs" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New sync" }).ClickAsync();
        await page.GetByLabel("Kind of sync", new() { Exact = true }).SelectOptionAsync("annotations_reverse");
        await SelectWhenListedAsync(page.GetByLabel("Annotations table: catalog", new() { Exact = true }), ConsoleStack.Catalog);
        await SelectWhenListedAsync(page.GetByLabel("Annotations table: schema", new() { Exact = true }), ConsoleStack.Schema);
        foreach (var (which, name) in new[] { ("Inputs table", "pet_inputs"), ("Annotations table", "pet_annotations") })
        {
            await page.GetByLabel($"{which}: type the path by hand").CheckAsync();
            await page.GetByLabel($"{which}: table (catalog.schema.table)", new() { Exact = true }).FillAsync($"{ConsoleStack.Catalog}.{ConsoleStack.Schema}.{name}");
        }
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("pets annotations");
        await AssertEveryControlLabelledAsync(page);
        await stack.ScreenshotAsync(page, "13-new-annotations-sync");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "pets annotations" })).ToBeVisibleAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync($"{ConsoleStack.Catalog}.{ConsoleStack.Schema}.pet_inputs");
        var annotationsId = (await ItemsAsync("/api/databricks/sync-configs")).Single(c => c.GetProperty("config_type").GetString() == "annotations_reverse").GetProperty("id").GetString()!;
        await stack.UploadAsync("annotations", $"{annotationsId}/batch.jsonl",
            "{\"annotation_id\":\"pet-1\",\"input_id\":\"img/cat.jpg\",\"concepts\":[\"cat\"],\"modified_at\":\"2026-05-01T12:00:00Z\"}\n");
        await ReloadUntilAsync(page, "#runs", "succeeded");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the latest 20 rows" }).ClickAsync();
        await Expect(page.Locator("#preview")).ToContainTextAsync("pet-1");
        await Expect(page.Locator("#preview")).ToContainTextAsync("[\"cat\"]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Inputs", Exact = true }).ClickAsync();
        await Expect(page.Locator("#preview")).ToContainTextAsync("img/cat.jpg");
        await stack.ScreenshotAsync(page, "14-annotations-preview");
    }

    [Fact]
    public async Task A_read_only_token_sees_everything_and_is_offered_no_edits()
    {
        var page = await stack.NewPageAsync();
        await page.GotoAsync(stack.ConsoleUrl);
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.ReaderToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Expect(page.Locator(".who")).ToContainTextAsync("read-only");
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connections" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("form, button:not(.link)").CountAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Syncs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Syncs" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "New sync" }).CountAsync());
        await stack.ScreenshotAsync(page, "11-read-only");
    }

    [Fact]
    public async Task The_first_load_is_small_cached_and_fits_a_phone()
    {
        var page = await stack.NewPageAsync(390, 844);
        long transferred = 0;
        var requests = new List<string>();
        page.Response += async (_, response) =>
        {
            requests.Add(response.Url);
            var sizes = await response.Request.SizesAsync();
            Interlocked.Add(ref transferred, sizes.ResponseBodySize + sizes.ResponseHeadersSize);
        };
        await page.GotoAsync(stack.ConsoleUrl, new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.All(requests, url => Assert.StartsWith(stack.BaseAddress.ToString(), url));
        Assert.InRange(transferred, 1, 200 * 1024);

        var asset = requests.Single(u => u.EndsWith("/app.js", StringComparison.Ordinal));
        using var http = new HttpClient();
        var cached = await http.GetAsync(asset);
        Assert.Contains("immutable", cached.Headers.CacheControl?.ToString());
        var index = await http.GetAsync(stack.ConsoleUrl);
        Assert.True(index.Headers.CacheControl?.NoCache);
        Assert.Contains("default-src 'none'", string.Join(";", index.Headers.GetValues("Content-Security-Policy")));

        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        foreach (var route in new[] { "#/", "#/syncs", "#/connections" })
        {
            await page.GotoAsync(stack.ConsoleUrl + route);
            await Expect(page.Locator("main h1")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), $"{route} scrolls sideways at phone width");
        }
        await stack.ScreenshotAsync(page, "12-phone-connections");
    }

    /// <summary>Every visible input and select has a label (or an aria-label) a screen reader announces.</summary>
    private static async Task AssertEveryControlLabelledAsync(IPage page)
    {
        var unlabelled = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute('aria-label'))
            .map(e => e.outerHTML)");
        Assert.Empty(unlabelled);
    }

    private static async Task SelectWhenListedAsync(ILocator select, string value)
    {
        await Expect(select.Locator($"option[value='{value}']")).ToHaveCountAsync(1);
        await select.SelectOptionAsync(value);
    }

    /// <summary>Reloads a page (as a user watching it would) until a part of it shows the text.</summary>
    private static async Task ReloadUntilAsync(IPage page, string selector, string text)
    {
        var deadline = DateTime.UtcNow + RunWait;
        while (true)
        {
            var part = page.Locator(selector);
            if (await part.CountAsync() > 0 && (await part.InnerTextAsync()).Contains(text, StringComparison.OrdinalIgnoreCase)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{selector} never showed '{text}'");
            await Task.Delay(1000);
            await page.ReloadAsync();
            await page.Locator("main h1").WaitForAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + RunWait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited in vain for {what}");
            await Task.Delay(200);
        }
    }

    private async Task<List<JsonElement>> ItemsAsync(string path)
    {
        using var doc = JsonDocument.Parse(await stack.Admin.GetStringAsync(path));
        return doc.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>A labeled file with its first row twice (line 3: duplicate key) and then without its key (line 4).</summary>
    private static string BadFile(string labeledCsv)
    {
        var lines = labeledCsv.TrimEnd('\n').Split('\n');
        var id = Array.IndexOf(lines[0].Split(','), "id");
        var keyless = lines[1].Split(',');
        keyless[id] = "";
        return string.Join("\n", lines[0], lines[1], lines[1], string.Join(',', keyless)) + "\n";
    }

    /// <summary>A stand-in labeler: fills the label column of an exported CSV with the animal its text names.</summary>
    private static string Label(string exportedCsv)
    {
        var lines = exportedCsv.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var header = lines[0].Split(',');
        int text = Array.IndexOf(header, "text"), label = Array.IndexOf(header, "label");
        Assert.True(text >= 0 && label >= 0, "the export has text and label columns");
        var animals = new[] { "cat", "dog", "bird", "fish" };
        return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            cells[label] = animals.First(a => cells[text].Contains(a, StringComparison.Ordinal));
            return string.Join(',', cells);
        }))) + "\n";
    }
}
