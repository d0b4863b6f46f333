namespace DbxSync.StorageFaults;

/// <summary>Wire form of POST /_faults (snake_case JSON); absent fields keep their value.</summary>
public sealed class StorageFaultSettings
{
    public bool? Reset { get; set; }
    public int? Seed { get; set; }
    /// <summary>Share (0..1) of requests failed, split evenly between the kinds.</summary>
    public double? ErrorRate { get; set; }
}
