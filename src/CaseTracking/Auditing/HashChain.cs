using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;
using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Auditing;

public sealed record VerifyResult(Guid StreamId, bool Valid, int Events, long? FirstBrokenVersion, string? Reason);

/// <summary>
/// Tamper evidence (DESIGN §5). A PostgreSQL trigger on the events table sets the headers
/// <c>prevHash</c> and <c>hash</c> = SHA-256(prevHash ‖ type ‖ version ‖ data::text) on every insert, so
/// every append (rich or quick, through the app or not) is chained in one place. The canonical JSON is
/// PostgreSQL's own <c>jsonb::text</c>, used by the trigger and by the verifier alike.
/// </summary>
public sealed class HashChain(IDocumentStore store, Provinces.ProvinceDatabases databases, DocumentChain documents)
{
    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>The one definition of an event's hash, <c>mt_chain_hash</c> (<see cref="InstallSql"/>), for the row <c>e</c>.</summary>
    private string HashExpression(string prev) => $"{Schema}.mt_chain_hash({prev}, e.type, e.version, e.data)";

    /// <summary>
    /// Does the event still match its seal? An unmasked event must recompute to its stored hash. A masked event
    /// (ADR 0005) can no longer recompute the hash of its original text, so it must match the digest of its masked
    /// data recorded beside it, and that digest must be attested by the chained retention run that masked it.
    /// Its stored hash stays, so the links before and after it are checked as for any event.
    /// </summary>
    private string ContentOk(string prev) => $"""
        coalesce(case when e.headers -> 'masked' is null then (e.headers ->> 'hash') is not distinct from {HashExpression(prev)}
              else encode(sha256(convert_to(e.data::text, 'UTF8')), 'hex') = (e.headers -> 'masked' ->> 'dataDigest')
                   and exists (select 1 from {documents.TableOf(DocumentChain.Retention)} r
                                where r.tenant_id = e.tenant_id and r.id::text = (e.headers -> 'masked' ->> 'run')
                                  and r.data -> 'anchors' @> jsonb_build_array(jsonb_build_object('streamId', e.stream_id,
                                        'version', e.version, 'hash', e.headers ->> 'hash',
                                        'dataDigest', e.headers -> 'masked' ->> 'dataDigest'))) end, false)
        """;

    /// <summary>
    /// <c>mt_chain_hash</c> defines an event's hash once: the trigger applies it to each appended row, the verifier
    /// (<see cref="VerifySql"/>, <see cref="VerifyAllSql"/>) to each stored row.
    /// </summary>
    public string InstallSql => $"""
        create or replace function {Schema}.mt_chain_hash(prev text, type text, version bigint, data jsonb) returns text
          language sql stable parallel safe
          return encode(sha256(convert_to(prev || type || version::text || data::text, 'UTF8')), 'hex');
        create or replace function {Schema}.mt_hash_chain() returns trigger language plpgsql as $fn$
        declare
          prev text;
        begin
          if NEW.version <= 1 then
            prev := NEW.stream_id::text;
          else
            select e.headers ->> 'hash' into prev from {Schema}.mt_events e
             where e.stream_id = NEW.stream_id and e.tenant_id = NEW.tenant_id and e.version = NEW.version - 1;
            prev := coalesce(prev, '');
          end if;
          NEW.headers := (case when jsonb_typeof(NEW.headers) = 'object' then NEW.headers else jsonb_build_object() end)
            || jsonb_build_object('prevHash', prev, 'hash', {Schema}.mt_chain_hash(prev, NEW.type, NEW.version, NEW.data));
          return NEW;
        end
        $fn$;
        drop trigger if exists mt_hash_chain on {Schema}.mt_events;
        create trigger mt_hash_chain before insert on {Schema}.mt_events for each row execute function {Schema}.mt_hash_chain();
        """;

    /// <summary>Idempotent; run after Marten has created its tables (app start, db-apply, seed), in every database.</summary>
    public async Task InstallAsync(CancellationToken ct)
    {
        foreach (var database in await databases.AllAsync()) await InstallAsync(database, ct);
    }

    /// <summary>Idempotent; in one database of the store (a province's own database added at run time).</summary>
    public async Task InstallAsync(Marten.Storage.IMartenDatabase database, CancellationToken ct)
    {
        await database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        await using var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct);
        await using var cmd = new NpgsqlCommand(InstallSql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
        // The access log and the retention runs are chained too (ADR 0005).
        await documents.InstallAsync(database, conn, ct);
    }

    /// <summary>The SQL that recomputes a stream's chain from the stored rows, link by link.</summary>
    public string VerifySql => $"""
        with e as (
          select e.version, e.type, e.data, e.headers, e.stream_id, e.tenant_id,
                 row_number() over (order by e.version) as position,
                 coalesce(lag(e.headers ->> 'hash') over (order by e.version), e.stream_id::text) as expected_prev
            from {Schema}.mt_events e
           where e.stream_id = @id and e.tenant_id = @tenant)
        select e.version, e.position,
               (e.headers ->> 'prevHash') is not distinct from e.expected_prev as link_ok,
               {ContentOk("e.expected_prev")} as hash_ok
          from e order by e.version
        """;

    /// <summary>Every stream of a tenant in one pass: the broken links only, first per stream.</summary>
    public string VerifyAllSql => $"""
        with e as (
          select e.stream_id, e.tenant_id, e.version, e.type, e.data, e.headers,
                 row_number() over (partition by e.stream_id order by e.version) as position,
                 coalesce(lag(e.headers ->> 'hash') over (partition by e.stream_id order by e.version), e.stream_id::text) as expected_prev
            from {Schema}.mt_events e
           where e.tenant_id = @tenant)
        select e.stream_id, min(case when e.version <> e.position then e.position else e.version end) filter (where e.version <> e.position
                 or (e.headers ->> 'prevHash') is distinct from e.expected_prev
                 or not {ContentOk("e.expected_prev")}) as first_broken,
               count(*) as events
          from e group by e.stream_id
        """;

    /// <summary>Verifies every stream of <paramref name="tenant"/>; <paramref name="progress"/> gets (done, total).</summary>
    public async Task<IReadOnlyList<VerifyResult>> VerifyAllAsync(string tenant, Action<long, long>? progress, CancellationToken ct)
    {
        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var count = new NpgsqlCommand($"select count(distinct stream_id) from {Schema}.mt_events where tenant_id = @tenant", conn);
        count.Parameters.AddWithValue("tenant", tenant);
        var total = (long)(await count.ExecuteScalarAsync(ct))!;
        await using var cmd = new NpgsqlCommand(VerifyAllSql, conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var results = new List<VerifyResult>();
        long done = 0;
        while (await reader.ReadAsync(ct))
        {
            long? broken = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            results.Add(new VerifyResult(reader.GetGuid(0), broken is null, (int)reader.GetInt64(2), broken,
                broken is null ? null : "a link or a hash does not match, or an event is missing"));
            if (++done % 500 == 0 || done == total) progress?.Invoke(done, total);
        }

        return results;
    }

    public async Task<VerifyResult> VerifyAsync(string tenant, Guid streamId, CancellationToken ct)
    {
        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var cmd = new NpgsqlCommand(VerifySql, conn);
        cmd.Parameters.AddWithValue("id", streamId);
        cmd.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var count = 0;
        long? broken = null;
        string? reason = null;
        while (await reader.ReadAsync(ct))
        {
            count++;
            var version = reader.GetInt64(0);
            if (broken is not null) continue;
            if (version != reader.GetInt64(1)) (broken, reason) = (reader.GetInt64(1), "an event is missing before this version");
            else if (!reader.GetBoolean(2)) (broken, reason) = (version, "the link to the previous event does not match");
            else if (!reader.GetBoolean(3)) (broken, reason) = (version, "the event's content does not match its hash");
        }

        return new VerifyResult(streamId, broken is null, count, broken, reason);
    }
}

public static class VerifyEndpoint
{
    [WolverineGet("/api/audit/verify/{caseId}")]
    public static Task<IResult> Get(Guid caseId, HttpContext http, Reads reads, HashChain chain) =>
        reads.Case(http, caseId, CaseAction.Verify, async (actor, _, _) =>
            Results.Json(await chain.VerifyAsync(actor.Tenant, caseId, http.RequestAborted), Json.Options));
}
