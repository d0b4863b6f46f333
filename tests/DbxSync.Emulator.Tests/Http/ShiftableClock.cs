namespace DbxSync.Emulator.Tests.Http;

/// <summary>System time plus an offset a test can move forward, to pass an expiry without sleeping.</summary>
public sealed class ShiftableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
