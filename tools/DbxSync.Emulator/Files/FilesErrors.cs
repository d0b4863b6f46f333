using DbxSync.Emulator.Http;

namespace DbxSync.Emulator.Files;

/// <summary>Files API errors: the envelope plus an ErrorInfo whose reason clients branch on.</summary>
public static class FilesErrors
{
    public static IResult InvalidPath(string message) =>
        ErrorEnvelope.Result(400, "INVALID_PARAMETER_VALUE", message, ErrorEnvelope.Reason("FILES_API_INVALID_PATH"));

    public static IResult FileNotFound(string apiPath) =>
        ErrorEnvelope.Result(404, "NOT_FOUND", $"The file {apiPath} does not exist.", ErrorEnvelope.Reason("FILES_API_FILE_IS_NOT_FOUND"));

    public static IResult DirectoryNotFound(string apiPath) =>
        ErrorEnvelope.Result(404, "NOT_FOUND", $"The directory {apiPath} does not exist.", ErrorEnvelope.Reason("FILES_API_DIRECTORY_IS_NOT_FOUND"));

    public static IResult FileAlreadyExists(string apiPath) =>
        ErrorEnvelope.Result(409, "ALREADY_EXISTS", $"The file {apiPath} already exists.", ErrorEnvelope.Reason("FILES_API_FILE_ALREADY_EXISTS"));

    public static IResult Conflict(string message) =>
        ErrorEnvelope.Result(409, "RESOURCE_CONFLICT", message, ErrorEnvelope.Reason("FILES_API_RESOURCE_CONFLICT"));

    public static IResult DirectoryNotEmpty(string apiPath) =>
        ErrorEnvelope.Result(400, "INVALID_PARAMETER_VALUE", $"The directory {apiPath} is not empty.", ErrorEnvelope.Reason("FILES_API_DIRECTORY_IS_NOT_EMPTY"));
}
