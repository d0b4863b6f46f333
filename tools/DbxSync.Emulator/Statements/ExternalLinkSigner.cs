using System.Globalization;
using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Statements;

/// <summary>EXTERNAL_LINKS chunk URLs, presigned like cloud-storage links so clients must fetch them without their Databricks token.</summary>
public sealed class ExternalLinkSigner(PresignedUrlSigner signer)
{
    public (string Url, DateTimeOffset Expiration) CreateLink(string origin, string statementId, int chunkIndex, TimeSpan lifetime)
    {
        var expiration = DateTimeOffset.FromUnixTimeSeconds((signer.Now + lifetime).ToUnixTimeSeconds());
        var url = $"{origin}/external/results/{statementId}/{chunkIndex.ToString(CultureInfo.InvariantCulture)}?{signer.QueryFor(Resource(statementId, chunkIndex), expiration)}";
        return (url, expiration);
    }

    public IResult? Check(HttpContext context, string statementId, int chunkIndex) => signer.Check(context, Resource(statementId, chunkIndex));

    private static string Resource(string statementId, int chunkIndex) => $"result-chunk/{statementId}/{chunkIndex.ToString(CultureInfo.InvariantCulture)}";
}
