namespace DbxSync.Emulator.Sql;

/// <summary>
/// ALTER CATALOG|SCHEMA|VOLUME name [SET] OWNER TO principal, ALTER VOLUME name RENAME TO new_name
/// (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-alter-catalog.html, ...-alter-schema.html,
/// ...-alter-volume.html) and COMMENT ON CATALOG|SCHEMA|VOLUME name IS 'text'
/// (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-comment.html).
/// </summary>
public sealed record AlterSecurableStatement(SecurableKind Kind, QualifiedName Name, SecurableUpdate Update) : SqlStatement;

public sealed partial class SqlParser
{
    private SecurableKind ParseSecurableKind()
    {
        if (Accept("CATALOG")) return SecurableKind.Catalog;
        if (Accept("SCHEMA") || Accept("DATABASE")) return SecurableKind.Schema;
        if (Accept("VOLUME")) return SecurableKind.Volume;
        throw Unexpected();
    }

    private SqlStatement ParseAlterSecurable()
    {
        var kind = ParseSecurableKind();
        var name = ParseQualifiedName();
        if (kind == SecurableKind.Volume && AcceptSequence("RENAME", "TO"))
            return new AlterSecurableStatement(kind, name, new SecurableUpdate(null, null, null, ParseQualifiedName().Last));
        Accept("SET");
        Expect("OWNER");
        Expect("TO");
        var owner = Current.Kind == TokenKind.String ? ExpectString() : ExpectIdentifier();
        return new AlterSecurableStatement(kind, name, new SecurableUpdate(null, owner, null));
    }

    private SqlStatement ParseCommentOn()
    {
        Expect("COMMENT");
        Expect("ON");
        var kind = ParseSecurableKind();
        var name = ParseQualifiedName();
        Expect("IS");
        return new AlterSecurableStatement(kind, name, new SecurableUpdate(ExpectString(), null, null));
    }
}
