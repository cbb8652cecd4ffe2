using System.Diagnostics;
using CaseTracking.Auditing;
using Marten;
using Marten.Storage;
using Npgsql;

namespace CaseTracking.Provinces;

/// <summary>What a move did: rows per table, and how long the copy held the province's writes.</summary>
public sealed record MoveReport(string Code, string From, string To, IReadOnlyList<(string Table, long Rows)> Copied, TimeSpan Copy,
    TimeSpan Total)
{
    public long Events => Copied.Where(c => c.Table == "mt_events").Sum(c => c.Rows);
}

/// <summary>A move that cannot be done as asked; nothing was changed.</summary>
public sealed class MoveRefusedException(string message) : Exception(message);

/// <summary>
/// <c>province move CODE --database …</c> (docs/operations.md, "Moving a province"): copies a province's rows into an
/// empty database prepared with the app's schema, points the registry at it (every node hears of it through
/// <see cref="Access.UserChangeFeed"/> and serves the province from there at once), and leaves the old rows in place
/// until <see cref="RemoveLeftoversAsync"/>. The copy is PostgreSQL's binary <c>COPY</c>, table by table, of every row
/// whose <c>tenant_id</c> is the province (and its users), read in one snapshot of the old database while its event
/// tables are locked against writers (SHARE: reads go on, writes of that database wait for the copy), and written in one
/// transaction of the new one, all or nothing. Written as stored: the hash chain's and the chained documents' triggers
/// are disabled for the copy (the links are copied, not recomputed), so every hash, seal and chain head stays what it
/// was. Events get new sequence numbers in their old order (the new database has no gaps for the daemon to wait on);
/// nothing depends on them. The async projections (caseload, statistics, activity) are not copied: the daemon builds
/// them in the new database from its events, as a rebuild does.
/// </summary>
public sealed class ProvinceMove(IDocumentStore store, DatabaseSetup setup, Provinces provinces, HashChain chain, ILogger<ProvinceMove> logger)
{
    /// <summary>Tables the async daemon fills from the events: rebuilt in the new database, not copied.</summary>
    public static readonly Type[] Projected =
        [typeof(Caseloads.CaseloadMember), typeof(Statistics.StatisticsMember), typeof(Statistics.StatisticsRow), typeof(Reports.CaseActivity)];

    /// <summary>Marten's per-tenant progress floors belong to the old database's daemon.</summary>
    private static readonly string[] NotCopied = ["mt_event_projection_floors"];

    private ProvinceTenancy Tenancy => (ProvinceTenancy)store.Options.Tenancy;
    private string Schema => store.Options.DatabaseSchemaName;

    public async Task<MoveReport> MoveAsync(string code, string targetConnection, string by, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        if (!AddProvince.IsCode(code)) throw new MoveRefusedException($"'{code}' is not a province code.");
        var target = ProvinceConnection.Parse(targetConnection) ?? throw new MoveRefusedException("--database: not a PostgreSQL connection string with Host and Database.");
        var source = await store.Storage.FindOrCreateDatabase(code);
        var from = Tenancy.LabelOf(source);
        if (await provinces.PlaceInUseAsync(target, ct)) throw new MoveRefusedException("The target database is the shared one or another province's.");
        if (await Provinces.UnreachableAsync(target, ct) is { } why) throw new MoveRefusedException($"The target database does not answer: {why}");

        // The target gets the app's schema and objects, and must hold nothing of anyone yet.
        await using var prepared = new MartenDatabase(((DocumentStore)store).Options, NpgsqlDataSource.Create(target.ConnectionString), "moving-" + code);
        await setup.PrepareAsync(prepared, ct);

        await using var to = new NpgsqlConnection(target.ConnectionString);
        await to.OpenAsync(ct);
        if (await ScalarAsync<bool>(to, $"select exists (select 1 from {Schema}.mt_events) or exists (select 1 from {Schema}.mt_doc_user)", ct))
            throw new MoveRefusedException("The target database already holds events or users: a province moves into an empty one.");

        await using var fromConn = await ProvinceDatabases.OpenAsync(source, ct);
        await using var snapshot = await fromConn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        // Writers of the old database wait from here until the registry points at the new one.
        await ExecuteAsync(fromConn, $"lock table {Schema}.mt_streams, {Schema}.mt_events in share mode", ct);
        var copy = Stopwatch.StartNew();
        var copied = new List<(string, long)>();
        var tables = await TablesAsync(fromConn, ct);
        // Before the target's transaction: Marten creates a missing table on connections of its own.
        foreach (var (table, _, _) in tables) await EnsureTableAsync(prepared, to, table, ct);
        await using (var write = await to.BeginTransactionAsync(ct))
        {
            foreach (var (table, where, order) in tables)
            {
                var columns = await CommonColumnsAsync(fromConn, to, table, ct);
                // Events are numbered anew, 1, 2, … in their old order (the target holds none): no gaps for the daemon.
                var selected = table == "mt_events"
                    ? columns.Replace("\"seq_id\"", "row_number() over (order by seq_id) as seq_id", StringComparison.Ordinal)
                    : columns;
                var rows = await ScalarAsync<long>(fromConn, $"select count(*) from {Schema}.{table} where {where(code)}", ct);
                await ExecuteAsync(to, $"alter table {Schema}.{table} disable trigger user", ct);
                {
                    await using var reader = await fromConn.BeginRawBinaryCopyAsync(
                        $"copy (select {selected} from {Schema}.{table} where {where(code)} {order}) to stdout (format binary)", ct);
                    await using var writer = await to.BeginRawBinaryCopyAsync($"copy {Schema}.{table} ({columns}) from stdin (format binary)", ct);
                    await reader.CopyToAsync(writer, ct);
                }

                await ExecuteAsync(to, $"alter table {Schema}.{table} enable trigger user", ct);
                var written = await ScalarAsync<long>(to, $"select count(*) from {Schema}.{table} where {where(code)}", ct);
                if (written != rows) throw new InvalidOperationException($"{table}: {rows} rows read, {written} written");
                copied.Add((table, rows));
            }

            await ExecuteAsync(to, $"select setval('{Schema}.mt_events_sequence', (select max(seq_id) from {Schema}.mt_events))", ct);
            await write.CommitAsync(ct);
        }

        // Users are found by name through the national list once they no longer sit in the shared user table.
        foreach (var user in await UsersAsync(fromConn, code, ct)) await LoginNames.TryReserveAsync(store, user, ct);
        await Tenancy.Registry.MoveAsync(code, target.ConnectionString, by, ct);
        await Tenancy.ReloadAsync(code, ct);
        await snapshot.RollbackAsync(ct);
        copy.Stop();
        logger.LogWarning("Province {Code} moved from {From} to {To} by {By}: {Events} events copied in {Seconds:N1} s", code, from,
            ProvinceConnection.Place(target), by, copied.Where(c => c.Item1 == "mt_events").Sum(c => c.Item2), copy.Elapsed.TotalSeconds);
        return new MoveReport(code, from, ProvinceConnection.Place(target), copied, copy.Elapsed, total.Elapsed);
    }

    /// <summary>Every stream of the province verifies in its (new) database.</summary>
    public async Task<IReadOnlyList<VerifyResult>> VerifyAsync(string code, CancellationToken ct) => await chain.VerifyAllAsync(code, null, ct);

    /// <summary>
    /// Deletes what a move left of the province in <paramref name="old"/> (the shared database by default), once the
    /// province is served from elsewhere. Refused while the old database holds an event the new one lacks (a write that
    /// reached the old place during the move): nothing is deleted then, and the streams are named.
    /// </summary>
    public async Task<IReadOnlyList<(string Table, long Rows)>> RemoveLeftoversAsync(string code, IMartenDatabase? old, CancellationToken ct)
    {
        old ??= Tenancy.Shared;
        var current = await store.Storage.FindOrCreateDatabase(code);
        if (ReferenceEquals(current, old)) throw new MoveRefusedException($"Province {code} lives in that database: nothing there is left over.");
        await using var oldConn = await ProvinceDatabases.OpenAsync(old, ct);
        await using var newConn = await ProvinceDatabases.OpenAsync(current, ct);
        var there = await VersionsAsync(newConn, code, ct);
        var missing = (await VersionsAsync(oldConn, code, ct)).Where(s => !there.TryGetValue(s.Key, out var v) || v < s.Value).Select(s => s.Key).ToList();
        if (missing.Count > 0)
            throw new MoveRefusedException($"{missing.Count} stream(s) have events in the old database that the new one lacks, e.g. {string.Join(", ", missing.Take(5))}: nothing was removed.");

        var removed = new List<(string, long)>();
        await using var tx = await oldConn.BeginTransactionAsync(ct);
        var tables = (await TablesAsync(oldConn, ct, includeProjected: true)).Reverse();
        foreach (var (table, where, _) in tables)
        {
            await using var cmd = new NpgsqlCommand($"delete from {Schema}.{table} where {where(code)}", oldConn, tx) { CommandTimeout = 0 };
            removed.Add((table, await cmd.ExecuteNonQueryAsync(ct)));
        }

        await tx.CommitAsync(ct);
        logger.LogWarning("Province {Code}: {Rows} rows left by its move deleted from {Database}", code, removed.Sum(r => r.Item2), Tenancy.LabelOf(old));
        return removed;
    }

    private delegate string Filter(string code);

    /// <summary>
    /// The tables holding a province's rows, streams and events first: every table of the schema with a <c>tenant_id</c>,
    /// and the user table (not conjoined: a user's province is in the document).
    /// </summary>
    private async Task<IReadOnlyList<(string Table, Filter Where, string Order)>> TablesAsync(NpgsqlConnection conn, CancellationToken ct,
        bool includeProjected = false)
    {
        var skip = NotCopied.Concat(includeProjected ? [] : Projected.Select(t => $"mt_doc_{t.Name.ToLowerInvariant()}")).ToHashSet(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("""
            select c.table_name from information_schema.columns c join information_schema.tables t
              on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
             where c.table_schema = @schema and c.column_name = 'tenant_id' order by c.table_name
            """, conn);
        cmd.Parameters.AddWithValue("schema", Schema);
        var names = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        // Codes are checked (a-z, 0-9, -) before they reach SQL; COPY takes no parameters.
        Filter tenant = c => $"tenant_id = '{c}'";
        var list = new List<(string, Filter, string)>
        {
            ("mt_streams", tenant, ""), ("mt_events", tenant, "order by seq_id")
        };
        list.AddRange(names.Where(n => n is not ("mt_streams" or "mt_events") && !skip.Contains(n)).Select(n => (n, tenant, "")));
        list.Add(("mt_doc_user", c => $"data ->> 'tenant' = '{c}'", ""));
        return list;
    }

    /// <summary>
    /// A document table Marten creates on first use (a type no module registers up front) exists in the old database but
    /// not yet in the new one: Marten creates it there for the document type of that name.
    /// </summary>
    private async Task EnsureTableAsync(IMartenDatabase target, NpgsqlConnection to, string table, CancellationToken ct)
    {
        if (!table.StartsWith("mt_doc_", StringComparison.Ordinal)) return;
        await using (var cmd = new NpgsqlCommand("select to_regclass(@t) is not null", to))
        {
            cmd.Parameters.AddWithValue("t", $"{Schema}.{table}");
            if (await cmd.ExecuteScalarAsync(ct) is true) return;
        }

        var name = table["mt_doc_".Length..];
        var type = typeof(ProvinceMove).Assembly.GetTypes().FirstOrDefault(t => t.IsClass && !t.IsAbstract && t.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                   ?? throw new InvalidOperationException($"{table} has no document type of this app: run db-apply against the target with this version");
        await target.EnsureStorageExistsAsync(type, ct);
    }

    /// <summary>The columns both databases have, in the target's order.</summary>
    private async Task<string> CommonColumnsAsync(NpgsqlConnection from, NpgsqlConnection to, string table, CancellationToken ct)
    {
        async Task<List<string>> Of(NpgsqlConnection conn)
        {
            await using var cmd = new NpgsqlCommand(
                "select column_name from information_schema.columns where table_schema = @s and table_name = @t order by ordinal_position", conn);
            cmd.Parameters.AddWithValue("s", Schema);
            cmd.Parameters.AddWithValue("t", table);
            var list = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(reader.GetString(0));
            return list;
        }

        var source = (await Of(from)).ToHashSet(StringComparer.Ordinal);
        var columns = (await Of(to)).Where(source.Contains).ToList();
        if (columns.Count == 0) throw new InvalidOperationException($"{table} does not exist in the target database: run db-apply there");
        return string.Join(", ", columns.Select(c => $"\"{c}\""));
    }

    private async Task<IReadOnlyList<Access.User>> UsersAsync(NpgsqlConnection conn, string code, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select data from {Schema}.mt_doc_user where data ->> 'tenant' = @t", conn);
        cmd.Parameters.AddWithValue("t", code);
        var users = new List<Access.User>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) users.Add(store.Options.Serializer().FromJson<Access.User>(reader, 0));
        return users;
    }

    private async Task<Dictionary<Guid, long>> VersionsAsync(NpgsqlConnection conn, string code, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select id, version from {Schema}.mt_streams where tenant_id = @t", conn);
        cmd.Parameters.AddWithValue("t", code);
        var versions = new Dictionary<Guid, long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetGuid(0)] = reader.GetInt64(1);
        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
