using Npgsql;

namespace CaseTracking.Provinces;

/// <summary>A province as the registry knows it. <see cref="ConnectionString"/> is null on the shared database.</summary>
public sealed record ProvinceEntry(string Code, string Name, string? ConnectionString, DateTimeOffset CreatedAt, string CreatedBy)
{
    public bool OnOwnDatabase => ConnectionString is not null;
}

/// <summary>
/// The province registry: one table in the shared database (<c>ct_provinces</c>), read by <see cref="ProvinceTenancy"/>
/// before any Marten session exists, hence plain SQL and not a document. It holds connection strings (with their
/// passwords): only the national administrator's routes and the CLI touch it, and neither ever shows them.
/// </summary>
public sealed class ProvinceRegistry(NpgsqlDataSource shared, string schema)
{
    private volatile bool _ready;

    private string Table => $"{schema}.ct_provinces";

    /// <summary>
    /// The channel on which PostgreSQL tells every node that a province's row changed (added, moved): the trigger below
    /// sends the code on commit, whoever wrote it (a node, the CLI, an operator in psql); <see cref="Access.UserChangeFeed"/>
    /// listens and has <see cref="ProvinceTenancy"/> read the row again.
    /// </summary>
    public string Channel => $"ct_province_changed_{schema}";

    /// <summary>Idempotent; db-apply runs it, and the first use of the registry does too.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ready) return;
        await using var conn = await shared.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The advisory lock keeps two nodes starting together from colliding on the catalogue.
        await using var cmd = new NpgsqlCommand($"""
            select pg_advisory_xact_lock(hashtext('{Table}'));
            create schema if not exists {schema};
            create table if not exists {Table} (
              code text primary key,
              name text not null,
              connection_string text,
              created_at timestamptz not null default now(),
              created_by text not null default '');
            create or replace function {schema}.ct_notify_province_changed() returns trigger language plpgsql as $f$
            begin
              perform pg_notify('{Channel}', coalesce(new.code, old.code));
              return null;
            end
            $f$;
            create or replace trigger ct_province_changed after insert or update or delete on {Table}
              for each row execute function {schema}.ct_notify_province_changed();
            """, conn, tx);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        // Two nodes creating the schema at once (before the lock's table exists): the loser finds it there.
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
        {
        }

        _ready = true;
    }

    public async Task<IReadOnlyList<ProvinceEntry>> AllAsync(CancellationToken ct)
    {
        await EnsureAsync(ct);
        await using var cmd = shared.CreateCommand($"select code, name, connection_string, created_at, created_by from {Table} order by code");
        return await ReadAsync(cmd, ct);
    }

    public async Task<ProvinceEntry?> FindAsync(string code, CancellationToken ct)
    {
        await EnsureAsync(ct);
        await using var cmd = shared.CreateCommand($"select code, name, connection_string, created_at, created_by from {Table} where code = $1");
        cmd.Parameters.AddWithValue(code);
        return (await ReadAsync(cmd, ct)).SingleOrDefault();
    }

    /// <summary>False when the code is taken (the primary key decides, so two nodes cannot both add it).</summary>
    public async Task<bool> TryAddAsync(ProvinceEntry province, CancellationToken ct)
    {
        await EnsureAsync(ct);
        await using var cmd = shared.CreateCommand(
            $"insert into {Table} (code, name, connection_string, created_at, created_by) values ($1, $2, $3, $4, $5) on conflict (code) do nothing");
        cmd.Parameters.AddWithValue(province.Code);
        cmd.Parameters.AddWithValue(province.Name);
        cmd.Parameters.AddWithValue((object?)province.ConnectionString ?? DBNull.Value);
        cmd.Parameters.AddWithValue(province.CreatedAt);
        cmd.Parameters.AddWithValue(province.CreatedBy);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Removes a registration whose setup failed half way (nothing was written in the province yet).</summary>
    public async Task RemoveAsync(string code, CancellationToken ct)
    {
        await using var cmd = shared.CreateCommand($"delete from {Table} where code = $1");
        cmd.Parameters.AddWithValue(code);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Points a province at another database (<see cref="ProvinceMove"/>). The trigger tells every node on commit. A
    /// province that lived on the shared database without a row (<c>demo</c>, older installs) gets one.
    /// </summary>
    public async Task MoveAsync(string code, string? connectionString, string by, CancellationToken ct)
    {
        await EnsureAsync(ct);
        await using var cmd = shared.CreateCommand($"""
            insert into {Table} (code, name, connection_string, created_by) values ($1, $1, $2, $3)
            on conflict (code) do update set connection_string = excluded.connection_string
            """);
        cmd.Parameters.AddWithValue(code);
        cmd.Parameters.AddWithValue((object?)connectionString ?? DBNull.Value);
        cmd.Parameters.AddWithValue(by);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<ProvinceEntry>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<ProvinceEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new ProvinceEntry(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
        return list;
    }
}
