using System.Collections;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// Lazily streams a SELECT's rows from an open SQLite reader, formatting each cell in the JSON_ARRAY encoding.
/// The first enumeration consumes the reader opened by Execute (so errors in the first row surface early) and
/// closes its connection at the end; enumerating again re-runs the query on a fresh connection. Callers should
/// enumerate to the end or dispose the enumerator so the read connection is returned promptly.
/// </summary>
public sealed class QueryRowStream : IEnumerable<string?[]>
{
    private readonly IReadOnlyList<SqlType> _types;
    private readonly Func<IEnumerable<string?[]>> _rerun;
    private readonly Func<Exception, Exception> _mapError;
    private readonly CancellationToken _cancellationToken;
    private OpenQuery? _open;

    public sealed record OpenQuery(SqliteConnection Connection, SqliteCommand Command, SqliteDataReader Reader, TranslationSession Session);

    public QueryRowStream(OpenQuery open, IReadOnlyList<SqlType> types, Func<IEnumerable<string?[]>> rerun,
        Func<Exception, Exception> mapError, CancellationToken cancellationToken)
    {
        _open = open;
        _types = types;
        _rerun = rerun;
        _mapError = mapError;
        _cancellationToken = cancellationToken;
    }

    public IEnumerator<string?[]> GetEnumerator()
    {
        var open = Interlocked.Exchange(ref _open, null);
        return open == null ? _rerun().GetEnumerator() : new Enumerator(open, _types, _mapError, _cancellationToken);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator(OpenQuery open, IReadOnlyList<SqlType> types, Func<Exception, Exception> mapError, CancellationToken cancellationToken)
        : IEnumerator<string?[]>
    {
        private bool _disposed;
        public string?[] Current { get; private set; } = [];
        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_disposed) return false;
            try
            {
                if (cancellationToken.IsCancellationRequested) throw EngineErrors.Cancelled();
                if (!open.Reader.Read())
                {
                    Dispose();
                    return false;
                }
                var row = new string?[types.Count];
                for (var i = 0; i < row.Length; i++)
                    row[i] = open.Reader.IsDBNull(i) ? null : SqlValueConverter.FormatCell(open.Reader.GetValue(i), types[i]);
                Current = row;
                return true;
            }
            catch (Exception error)
            {
                Dispose();
                throw mapError(error);
            }
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            open.Reader.Dispose();
            open.Command.Dispose();
            try { open.Session.DropTemporaryTables(); } catch (SqliteException) { }
            open.Connection.Dispose();
        }
    }
}
