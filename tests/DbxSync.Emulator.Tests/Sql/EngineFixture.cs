using Xunit;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Tests.Sql;

/// <summary>A throwaway engine with catalog main, schema main.s and volume main.s.v, plus helpers that drain results.</summary>
public sealed class EngineFixture : IDisposable
{
    public SqliteDeltaEngine Engine { get; } = SqliteDeltaEngine.CreateTemporary();
    public EngineContext Context { get; } = new("alice@example.com");

    public EngineFixture()
    {
        Exec("CREATE CATALOG main");
        Exec("CREATE SCHEMA main.s");
        Exec("CREATE VOLUME main.s.v");
    }

    public EngineResult Execute(string sql, params EngineParameter[] parameters) =>
        Engine.Execute(sql, parameters, Context, CancellationToken.None);

    public void Exec(string sql, params EngineParameter[] parameters) => _ = Execute(sql, parameters).Rows.ToList();

    public List<string?[]> Rows(string sql, params EngineParameter[] parameters) => Execute(sql, parameters).Rows.ToList();

    /// <summary>Rows rendered "a|b|NULL" for compact assertions.</summary>
    public List<string> Lines(string sql, params EngineParameter[] parameters) =>
        Rows(sql, parameters).Select(r => string.Join("|", r.Select(c => c ?? "NULL"))).ToList();

    public string Scalar(string sql, params EngineParameter[] parameters) => Rows(sql, parameters).Single()[0]!;

    public EngineException Fails(string sql, params EngineParameter[] parameters) =>
        Assert.Throws<EngineException>(() => Execute(sql, parameters).Rows.ToList());

    public string WriteVolumeFile(string relativePath, string content)
    {
        var path = Path.Combine(Engine.GetVolumeDirectory("main", "s", "v"), relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return "/Volumes/main/s/v/" + relativePath;
    }

    public void Dispose() => Engine.Dispose();
}
