using CaseTracking.Infrastructure;
using CaseTracking.Retention;
using Marten;
using Npgsql;

namespace CaseTracking.Auditing;

/// <summary>One hash-chained log of documents (the access log, the retention runs) in one province.</summary>
public sealed record ChainCheck(string Chain, bool Valid, long Entries, long? FirstBrokenSeq, string? Reason, long HeadSeq, string HeadHash);

/// <summary>
/// Insert-only documents chained like the events (ADR 0005): a trigger on the document table numbers every
/// inserted row per province (<c>chainSeq</c>) and stores <c>prevHash</c> and
/// <c>hash</c> = SHA-256(prevHash ‖ chainSeq ‖ data::text without the three chain fields) inside the document.
/// The last link of each chain is kept in <c>ct_chain_heads</c>, so a deleted tail is seen too. As for events,
/// the canonical JSON is PostgreSQL's own <c>jsonb::text</c>, and the verifier is SQL.
/// </summary>
public sealed class DocumentChain(IDocumentStore store, Provinces.ProvinceDatabases databases)
{
    public const string Access = "access";
    public const string Retention = "retention";

    private string Schema => store.Options.Events.DatabaseSchemaName;

    public static readonly IReadOnlyDictionary<string, Type> Chains = new Dictionary<string, Type>
    {
        [Access] = typeof(AccessRecord), [Retention] = typeof(RetentionRun)
    };

    public string TableOf(string chain) => TableOf(store, Chains[chain]);

    /// <summary>Marten's table of a top-level document type: <c>mt_doc_</c> and the class name in lower case.</summary>
    public static string TableOf(IDocumentStore store, Type document) =>
        $"{store.Options.DatabaseSchemaName}.mt_doc_{document.Name.ToLowerInvariant()}";

    private static string Genesis(string chain, string tenantExpression) => $"('{chain}:' || {tenantExpression})";

    private string InstallSql => $"""
        create table if not exists {Schema}.ct_chain_heads (
          chain text not null, tenant_id text not null, seq bigint not null, hash text not null,
          primary key (chain, tenant_id));
        create or replace function {Schema}.ct_chain_next(chain_name text, tenant text, doc jsonb) returns jsonb language plpgsql as $fn$
        declare
          head_seq bigint;
          prev text;
          body jsonb;
          next_hash text;
        begin
          insert into {Schema}.ct_chain_heads (chain, tenant_id, seq, hash) values (chain_name, tenant, 0, chain_name || ':' || tenant)
            on conflict (chain, tenant_id) do nothing;
          -- The row lock orders concurrent inserts of one province: each links to the one committed before it.
          select h.seq, h.hash into head_seq, prev from {Schema}.ct_chain_heads h
           where h.chain = chain_name and h.tenant_id = tenant for update;
          body := doc - 'chainSeq' - 'prevHash' - 'hash';
          head_seq := head_seq + 1;
          next_hash := encode(sha256(convert_to(prev || head_seq::text || body::text, 'UTF8')), 'hex');
          update {Schema}.ct_chain_heads set seq = head_seq, hash = next_hash where chain = chain_name and tenant_id = tenant;
          return body || jsonb_build_object('chainSeq', head_seq, 'prevHash', prev, 'hash', next_hash);
        end
        $fn$;
        create or replace function {Schema}.ct_chain_document() returns trigger language plpgsql as $fn$
        begin
          NEW.data := {Schema}.ct_chain_next(TG_ARGV[0], NEW.tenant_id, NEW.data);
          return NEW;
        end
        $fn$;
        """;

    private string TriggerSql(string chain) => $"""
        drop trigger if exists ct_chain_{chain} on {TableOf(chain)};
        create trigger ct_chain_{chain} before insert on {TableOf(chain)} for each row execute function {Schema}.ct_chain_document('{chain}');
        do $do$
        declare r record;
        begin
          -- Rows written before the chain existed join it once, oldest first (ids are Guid v7, so time-ordered).
          for r in select t.id, t.tenant_id from {TableOf(chain)} t where t.data -> 'chainSeq' is null or jsonb_typeof(t.data -> 'chainSeq') <> 'number' order by t.tenant_id, t.id loop
            update {TableOf(chain)} t set data = {Schema}.ct_chain_next('{chain}', t.tenant_id, t.data) where t.id = r.id and t.tenant_id = r.tenant_id;
          end loop;
        end
        $do$;
        """;

    /// <summary>Idempotent; part of <see cref="HashChain.InstallAsync"/>.</summary>
    public async Task InstallAsync(Marten.Storage.IMartenDatabase database, NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var type in Chains.Values) await database.EnsureStorageExistsAsync(type, ct);
        await using (var cmd = new NpgsqlCommand(InstallSql, conn)) await cmd.ExecuteNonQueryAsync(ct);
        foreach (var chain in Chains.Keys)
        {
            await using var cmd = new NpgsqlCommand(TriggerSql(chain), conn) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Recomputes every link of one province's chain, then compares the last one with the stored head: a row
    /// edited, removed from the middle or the end, or inserted around the trigger is named by its number.
    /// </summary>
    public async Task<ChainCheck> VerifyAsync(string chain, string tenant, CancellationToken ct)
    {
        var sql = $"""
            with r as (
              select (t.data ->> 'chainSeq')::bigint as seq, t.data,
                     row_number() over (order by (t.data ->> 'chainSeq')::bigint, t.id) as position,
                     coalesce(lag(t.data ->> 'hash') over (order by (t.data ->> 'chainSeq')::bigint, t.id), {Genesis(chain, "@tenant")}) as expected_prev
                from {TableOf(chain)} t where t.tenant_id = @tenant),
            broken as (
              select min(case when r.seq is null or r.seq <> r.position then r.position else r.seq end) filter (where r.seq is null
                       or r.seq <> r.position
                       or (r.data ->> 'prevHash') is distinct from r.expected_prev
                       or (r.data ->> 'hash') is distinct from encode(sha256(convert_to(r.expected_prev || r.seq::text
                            || (r.data - 'chainSeq' - 'prevHash' - 'hash')::text, 'UTF8')), 'hex')) as first_broken,
                     count(*) as entries, coalesce(max(r.seq), 0) as last_seq,
                     (array_agg(r.data ->> 'hash' order by r.seq desc nulls last))[1] as last_hash
                from r)
            select b.first_broken, b.entries, b.last_seq, b.last_hash, h.seq, h.hash
              from broken b left join {Schema}.ct_chain_heads h on h.chain = @chain and h.tenant_id = @tenant
            """;
        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("tenant", tenant);
        cmd.Parameters.AddWithValue("chain", chain);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        long? broken = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        var entries = reader.GetInt64(1);
        var lastSeq = reader.GetInt64(2);
        var lastHash = reader.IsDBNull(3) ? null : reader.GetString(3);
        var headSeq = reader.IsDBNull(4) ? 0 : reader.GetInt64(4);
        var headHash = reader.IsDBNull(5) ? $"{chain}:{tenant}" : reader.GetString(5);
        if (broken is not null)
            return new(chain, false, entries, broken, "an entry was edited, removed or added outside the chain", headSeq, headHash);
        if (headSeq != lastSeq || (entries > 0 && headHash != lastHash))
            return new(chain, false, entries, Math.Min(lastSeq, headSeq) + 1, "the last entries of the chain are missing or its head was altered", headSeq, headHash);
        return new(chain, true, entries, null, null, headSeq, headHash);
    }

    /// <summary>The last link recorded before <paramref name="until"/> (for the daily seal), or null when the chain was empty then.</summary>
    public async Task<StreamHead?> HeadAsync(string chain, string tenant, DateTimeOffset? until, CancellationToken ct)
    {
        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var cmd = new NpgsqlCommand($"""
            select (t.data ->> 'chainSeq')::bigint, t.data ->> 'hash' from {TableOf(chain)} t
             where t.tenant_id = @tenant and t.data -> 'chainSeq' is not null {(until is null ? "" : "and (t.data ->> 'at')::timestamptz < @until")}
             order by (t.data ->> 'chainSeq')::bigint desc limit 1
            """, conn);
        cmd.Parameters.AddWithValue("tenant", tenant);
        if (until is { } u) cmd.Parameters.AddWithValue("until", u);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StreamHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>The hash stored at one position of a chain, or null when that entry is gone.</summary>
    public async Task<string?> HashAtAsync(string chain, string tenant, long seq, CancellationToken ct)
    {
        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var cmd = new NpgsqlCommand(
            $"select t.data ->> 'hash' from {TableOf(chain)} t where t.tenant_id = @tenant and (t.data ->> 'chainSeq')::bigint = @seq", conn);
        cmd.Parameters.AddWithValue("tenant", tenant);
        cmd.Parameters.AddWithValue("seq", seq);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
