using DbxSync.Core.Ports;
using Moq;

namespace DbxSync.Core.Tests.Runs;

/// <summary>
/// An <see cref="IStateStore"/> double that keeps what the repositories write, so a runner or scheduler test reads
/// back real config, principal and run entities. Calls can still be verified on <see cref="Mock"/>.
/// </summary>
internal static class StateStoreMock
{
    public static Mock<IStateStore> Create(Dictionary<(string Table, string Pk, string Rk), StateEntity> rows)
    {
        var store = new Mock<IStateStore>();
        store.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string t, string pk, string rk, CancellationToken _) => rows.GetValueOrDefault((t, pk, rk)));
        store.Setup(s => s.InsertAsync(It.IsAny<string>(), It.IsAny<StateEntity>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string t, StateEntity e, CancellationToken _) => rows[(t, e.PartitionKey, e.RowKey)] = e);
        store.Setup(s => s.UpsertAsync(It.IsAny<string>(), It.IsAny<StateEntity>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string t, StateEntity e, CancellationToken _) => rows[(t, e.PartitionKey, e.RowKey)] = e);
        store.Setup(s => s.QueryAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns((string t, string? pk, CancellationToken _) =>
                rows.Where(r => r.Key.Table == t && (pk is null || r.Key.Pk == pk)).Select(r => r.Value).ToList().ToAsyncEnumerable());
        store.Setup(s => s.QueryRowKeyAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string t, string rk, CancellationToken _) =>
                rows.Where(r => r.Key.Table == t && r.Key.Rk == rk).Select(r => r.Value).ToList().ToAsyncEnumerable());
        return store;
    }
}
