namespace DbxSync.Testing;

/// <summary>Bytes read like a pipe or network body: no length, no seeking, so uploads cannot size or rewind it.</summary>
public sealed class NonSeekableStream(byte[] data) : MemoryStream(data, writable: false)
{
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => base.Position; set => throw new NotSupportedException(); }
}
