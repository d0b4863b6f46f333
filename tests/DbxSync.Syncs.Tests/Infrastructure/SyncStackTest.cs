using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.LabeledImport;
using Microsoft.Extensions.DependencyInjection;

namespace DbxSync.Syncs.Tests.Infrastructure;

/// <summary>
/// A test class whose tests each build their own <see cref="SyncStack"/> (often with options of their own) and set
/// faults on the shared emulator: after each test the faults are reset, so the next test starts clean, and the stack
/// is disposed.
/// </summary>
public abstract class SyncStackTest : IAsyncLifetime
{
    private SyncStack? _stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stack is null) return;
        _stack.Handle.Faults.Reset();
        await _stack.DisposeAsync();
    }

    /// <summary>This test's stack: the app's composition, changed by <paramref name="configure"/>.</summary>
    protected async Task<SyncStack> StackAsync(Action<IServiceCollection>? configure = null) => _stack = await SyncStack.CreateAsync(configure);

    /// <summary>A stack whose imports without a staging volume put at most <paramref name="maxStatementBytes"/> of JSON in one staging INSERT.</summary>
    protected Task<SyncStack> StackAsync(int maxStatementBytes) => StackAsync(s => s.AddSingleton(new LabeledImportOptions { MaxStatementBytes = maxStatementBytes }));

    protected static string Quoted(string table) => TableName.Parse(table).Quoted;

    /// <summary>How this app's staging tables of <paramref name="table"/> begin, quoted as its statements name them.</summary>
    protected static string StagingPrefix(string table)
    {
        var t = TableName.Parse(table);
        return $"`{t.Catalog}`.`{t.Schema}`.`{StagingTables.Prefix}";
    }
}
