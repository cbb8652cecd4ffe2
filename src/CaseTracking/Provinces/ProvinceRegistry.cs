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

    /// <summary>Idempotent; db-apply runs it, and the first use of the registry does too.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ready) return;
        await using var cmd = shared.CreateCommand($"""
            create schema if not exists {schema};
            create table if not exists {Table} (
              code text primary key,
              name text not null,
              connection_string text,
              created_at timestamptz not null default now(),
              created_by text not null default '');
            """);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // Two nodes creating the table at once: the loser finds it there.
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

    /// <summary>Moving a province to its own server (docs/operations.md): the nodes read the new place at their next start.</summary>
    public async Task<bool> MoveAsync(string code, string? connectionString, CancellationToken ct)
    {
        await EnsureAsync(ct);
        await using var cmd = shared.CreateCommand($"update {Table} set connection_string = $2 where code = $1");
        cmd.Parameters.AddWithValue(code);
        cmd.Parameters.AddWithValue((object?)connectionString ?? DBNull.Value);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
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
