namespace DbxSync.Emulator.Sql;

/// <summary>Databricks error classes the engine raises, with the SQLSTATEs and message shapes real warehouses use.</summary>
public static class EngineErrors
{
    public static string Quote(string name) => "`" + name.Replace("`", "``") + "`";
    public static string QuoteParts(params string[] parts) => string.Join(".", parts.Select(Quote));

    public static EngineException Syntax(string nearText) =>
        new("PARSE_SYNTAX_ERROR", "42601", $"Syntax error at or near '{nearText}'.");

    public static EngineException SyntaxEnd() =>
        new("PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near end of input.");

    public static EngineException Unsupported(string what) =>
        new("UNSUPPORTED_FEATURE", "0A000", $"The feature is not supported: {what}.");

    public static EngineException TableNotFound(params string[] parts) =>
        new("TABLE_OR_VIEW_NOT_FOUND", "42P01",
            $"The table or view {QuoteParts(parts)} cannot be found. Verify the spelling and correctness of the schema and catalog.");

    public static EngineException TableAlreadyExists(params string[] parts) =>
        new("TABLE_OR_VIEW_ALREADY_EXISTS", "42P07",
            $"Cannot create table or view {QuoteParts(parts)} because it already exists.", "ALREADY_EXISTS");

    public static EngineException SchemaNotFound(string catalog, string schema) =>
        new("SCHEMA_NOT_FOUND", "42704",
            $"The schema {QuoteParts(catalog, schema)} cannot be found. Verify the spelling and correctness of the schema and catalog.");

    public static EngineException SchemaAlreadyExists(string catalog, string schema) =>
        new("SCHEMA_ALREADY_EXISTS", "42P06", $"Cannot create schema {QuoteParts(catalog, schema)} because it already exists.", "ALREADY_EXISTS");

    public static EngineException CatalogNotFound(string catalog) =>
        new("NO_SUCH_CATALOG_EXCEPTION", "42704", $"The catalog {Quote(catalog)} cannot be found.");

    public static EngineException CatalogAlreadyExists(string catalog) =>
        new("CATALOG_ALREADY_EXISTS", "42P04", $"Cannot create catalog {Quote(catalog)} because it already exists.", "ALREADY_EXISTS");

    public static EngineException VolumeNotFound(params string[] parts) =>
        new("VOLUME_NOT_FOUND", "42704", $"The volume {QuoteParts(parts)} cannot be found.");

    public static EngineException VolumeAlreadyExists(params string[] parts) =>
        new("VOLUME_ALREADY_EXISTS", "42000", $"Cannot create volume {QuoteParts(parts)} because it already exists.", "ALREADY_EXISTS");

    public static EngineException UnresolvedColumn(string name, IEnumerable<string> candidates) =>
        new("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
            $"A column, variable, or function parameter with name {Quote(name)} cannot be resolved. Did you mean one of the following? [{string.Join(", ", candidates.Take(5).Select(Quote))}].");

    public static EngineException AmbiguousColumn(string name) =>
        new("AMBIGUOUS_REFERENCE", "42704", $"Reference {Quote(name)} is ambiguous.");

    public static EngineException UnknownFunction(string name) =>
        new("UNRESOLVED_ROUTINE", "42883",
            $"Cannot resolve routine {Quote(name)} on search path [`system`.`builtin`, `system`.`session`].");

    public static EngineException UnboundParameter(string name) =>
        new("UNBOUND_SQL_PARAMETER", "42P02",
            $"Found the unbound parameter: {name}. Please, fix `args` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as `map()`, `array()`, `struct()`.");

    public static EngineException CastInvalidInput(string value, SqlType from, SqlType to) =>
        new("CAST_INVALID_INPUT", "22018",
            $"The value '{value}' of the type \"{from.TypeText}\" cannot be cast to \"{to.TypeText}\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.");

    public static EngineException CastOverflow(string value, SqlType from, SqlType to) =>
        new("CAST_OVERFLOW", "22003",
            $"The value {value} of the type \"{from.TypeText}\" cannot be cast to \"{to.TypeText}\" due to an overflow. Use `try_cast` to tolerate overflow and return NULL instead.");

    public static EngineException DatatypeMismatch(string detail) =>
        new("DATATYPE_MISMATCH", "42K09", $"Cannot resolve due to data type mismatch: {detail}.");

    public static EngineException NotNullViolated(string column) =>
        new("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502", $"NOT NULL constraint violated for column: {column}.");

    public static EngineException ColumnCountMismatch(string table, int expected, int actual) =>
        new("INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS", "21S01",
            $"Cannot write to {table}, the reason is not enough data columns: Table columns: {expected}. Data columns: {actual}.");

    public static EngineException VersionNotFound(long requested, long earliest, long latest) =>
        new("DELTA_VERSION_NOT_FOUND", "22003",
            $"Cannot time travel Delta table to version {requested}. Available versions: [{earliest}, {latest}].");

    /// <summary>KB "Job failing with DELTA_CHANGE_DATA_FILE_NOT_FOUND error"; SQLSTATE from Delta's error classes (42K03).</summary>
    public static EngineException ChangeDataFileNotFound(string table, long version) =>
        new("DELTA_CHANGE_DATA_FILE_NOT_FOUND", "42K03",
            $"File {table}/_change_data/cdc-{version:D5}.c000.snappy.parquet referenced in the transaction log cannot be found. This can occur when data has been manually deleted from the file system rather than using the table `DELETE` statement. This request appears to be targeting Change Data Feed, if that is the case, this error can occur when the change data file is out of the retention period and has been deleted by the `VACUUM` statement.");

    /// <summary>Databricks "FAILED_READ_FILE error class", subclass FILE_NOT_EXIST (SQLSTATE KD001).</summary>
    public static EngineException DataFileNotFound(string table, long version) =>
        new("FAILED_READ_FILE.FILE_NOT_EXIST", "KD001",
            $"Error while reading file {table}/part-{version:D5}.c000.snappy.parquet. File does not exist. It is possible the underlying files have been updated.");

    public static EngineException MissingChangeData(long start, long end, long version) =>
        new("DELTA_MISSING_CHANGE_DATA", "KD002",
            $"Error getting change data for range [{start} , {end}] as change data was not recorded for version [{version}]. If you've enabled change data feed on this table, use `DESCRIBE HISTORY` to see when it was first enabled. Otherwise, to start recording change data, use `ALTER TABLE table_name SET TBLPROPERTIES (delta.enableChangeDataFeed=true)`.");

    public static EngineException CdcStartAfterLatest(long start, long latest) =>
        new("DELTA_CDC_START_VERSION_AFTER_LATEST", "22003",
            $"Start version {start} for change data feed exceeds the latest table version {latest}.");

    public static EngineException InvalidCdcRange(long start, long end) =>
        new("DELTA_INVALID_CDC_RANGE", "22003",
            $"CDC range from start {start} to end {end} was invalid. End cannot be before start.");

    public static EngineException CdcNonConstantArgument(string argument, int position) =>
        new("DELTA_CDC_NON_CONSTANT_ARGUMENT", "42K0H",
            $"The {argument} argument (position {position}) of the table_changes function requires a constant value, but got a non-constant expression.");

    public static EngineException MultipleSourceRowsMatched() =>
        new("DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "21506",
            "Cannot perform Merge as multiple source rows matched and attempted to modify the same target row in the Delta table in possibly conflicting ways. By SQL semantics of Merge, when multiple source rows match on the same target row, the result may be ambiguous as it is unclear which source row should be used to update or delete the matching target row. You can preprocess the source table to eliminate the possibility of multiple matches. Please refer to https://docs.databricks.com/delta/merge.html#merge-operation-semantics");

    public static EngineException PathNotFound(string path) =>
        new("PATH_NOT_FOUND", "42K03", $"Path does not exist: {path}.");

    public static EngineException CdcReservedColumns(IEnumerable<string> columns) =>
        new("DELTA_TABLE_ALREADY_CONTAINS_CDC_COLUMNS", "42711",
            $"Unable to enable Change Data Capture on the table. The table already contains reserved columns [{string.Join(", ", columns)}] that will be used internally as metadata for the table's Change Data Feed. To enable Change Data Feed on the table rename/drop these columns. ");

    public static EngineException MalformedRecord(string record) =>
        new("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "22023",
            $"Malformed records are detected in record parsing: [{(record.Length > 200 ? record[..200] + "..." : record)}]. Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.");

    public static EngineException Cancelled() =>
        new("OPERATION_CANCELED", "HY008", "The statement was cancelled.", "CANCELLED");

    public static EngineException DivideByZero() =>
        new("DIVIDE_BY_ZERO", "22012", "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.");
}
