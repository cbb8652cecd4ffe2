using System.Security.Cryptography;
using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CaseTracking.Hosting;

/// <summary>
/// ASP.NET Core Data Protection's key ring (the keys that encrypt sign-in cookies and antiforgery tokens) in a table of
/// the app's schema, so a cookie issued by one node opens on every other. Our own <see cref="IXmlRepository"/>: the
/// served package for a database (<c>Microsoft.AspNetCore.DataProtection.EntityFrameworkCore</c>) would bring Entity
/// Framework Core and a second PostgreSQL provider into an app that has neither, for one table of a few rows
/// (ADR 0008). The key manager reads the ring at start, every 24 hours and whenever it meets a key it does not
/// know, and writes one row per new key (every 90 days) or revocation.
/// The keys are stored unencrypted, like the default file ring: whoever reads this table can forge cookies, and
/// whoever reads this database can read the cases anyway (docs/security.md).
/// </summary>
public sealed class PostgresKeyRing(IDocumentStore store) : IXmlRepository
{
    public const string TableName = "ct_dataprotection_keys";

    private string Table => $"{store.Options.DatabaseSchemaName}.{TableName}";

    public static Table Definition(string schema)
    {
        var table = new Table(PostgresqlProvider.Instance.Parse(schema, TableName));
        table.AddColumn("id", "uuid").AsPrimaryKey();
        table.AddColumn("friendly_name", "text").NotNull();
        table.AddColumn("xml", "text").NotNull();
        table.AddColumn("created_at", "timestamp with time zone").NotNull();
        return table;
    }

    // The interface is synchronous: Data Protection calls it from its key ring cache, rarely.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = Open();
        using var cmd = new NpgsqlCommand($"select xml from {Table} order by created_at, id", conn);
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var conn = Open();
        using var cmd = new NpgsqlCommand($"insert into {Table} (id, friendly_name, xml, created_at) values (@id, @name, @xml, now())", conn);
        cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
        cmd.Parameters.AddWithValue("name", friendlyName);
        cmd.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }

    private NpgsqlConnection Open()
    {
        var conn = store.Storage.Database.CreateConnection();
        conn.Open();
        return conn;
    }
}

/// <summary>
/// The installation's JWT signing key in PostgreSQL, so every node signs and checks tokens with the same key. The
/// first node to start writes it (64 random bytes; or, on an installation that had one, the key file of its data
/// folder, so tokens already issued stay valid); every later start reads that row. <c>CaseTracking:SigningKey</c>
/// still overrides it (<see cref="Access.SigningKeys"/>).
/// </summary>
public sealed class SigningKeyStore(IDocumentStore store)
{
    public const string TableName = "ct_signing_keys";

    private const string JwtKey = "jwt";

    public static Table Definition(string schema)
    {
        var table = new Table(PostgresqlProvider.Instance.Parse(schema, TableName));
        table.AddColumn("name", "text").AsPrimaryKey();
        table.AddColumn("key", "text").NotNull();
        table.AddColumn("created_at", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>The stored key; when there is none yet, <paramref name="candidate"/> (or a new random key) becomes it.</summary>
    public byte[] GetOrCreate(byte[]? candidate)
    {
        var table = $"{store.Options.DatabaseSchemaName}.{TableName}";
        using var conn = store.Storage.Database.CreateConnection();
        conn.Open();
        // Two nodes starting together: one insert wins, both read the winner.
        using (var insert = new NpgsqlCommand($"insert into {table} (name, key, created_at) values (@name, @key, now()) on conflict (name) do nothing", conn))
        {
            insert.Parameters.AddWithValue("name", JwtKey);
            insert.Parameters.AddWithValue("key", Convert.ToBase64String(candidate ?? RandomNumberGenerator.GetBytes(64)));
            insert.ExecuteNonQuery();
        }

        using var read = new NpgsqlCommand($"select key from {table} where name = @name", conn);
        read.Parameters.AddWithValue("name", JwtKey);
        return Convert.FromBase64String((string)read.ExecuteScalar()!);
    }
}
