using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CaseTracking.Auditing;

/// <summary>
/// A bulk load of whole streams with the hash chain computed set-based (issue 20, ADR 0011): the streams are
/// copied into <c>mt_streams</c> and their events into a temporary table, then one <c>insert … select</c> chains
/// every event with <see cref="HashChain"/>'s aggregate <c>mt_chain</c>, the trigger's own hash function folded
/// over each stream by version as a window, instead of the trigger reading the previous event's hash through
/// the stream/version index once per row. The trigger stays on for every other write; it lets a row through
/// unchanged only inside this transaction (<c>casetracking.chain = 'set-based'</c>) and only when the row
/// carries a hash. <c>verify</c> recomputes every link as for any other event.
/// </summary>
public sealed class ChainedBulkAppend(IDocumentStore store, Provinces.ProvinceDatabases databases)
{
    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>Appends <paramref name="streams"/> (new or existing streams, events numbered by the caller) in one transaction.</summary>
    public async Task AppendAsync(string tenant, IReadOnlyList<StreamAction> streams, CancellationToken ct)
    {
        var events = streams.SelectMany(s => s.Events).ToList();
        if (events.Count == 0) return;
        var options = (StoreOptions)store.Options;
        var serializer = options.Serializer();
        var registry = (IEventRegistry)options.Events;

        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Execute(conn, """
            create temp table if not exists ct_staged_events (seq_id bigint, id uuid, stream_id uuid, version bigint, data jsonb,
              type varchar, timestamp timestamptz, mt_dotnet_type varchar, correlation_id varchar, causation_id varchar,
              headers jsonb, user_name varchar) on commit delete rows
            """, ct);

        // Sequence numbers in event order, as Marten's own bulk insert draws them: the daemon reads by seq_id.
        await using (var next = new NpgsqlCommand($"select nextval('{Schema}.mt_events_sequence') from generate_series(1, {events.Count})", conn, tx))
        await using (var reader = await next.ExecuteReaderAsync(ct))
        {
            foreach (var e in events)
            {
                await reader.ReadAsync(ct);
                e.Sequence = reader.GetInt64(0);
            }
        }

        await using (var writer = await conn.BeginBinaryImportAsync(
                         $"copy {Schema}.mt_streams (tenant_id, id, type, version, is_archived) from stdin (format binary)", ct))
        {
            foreach (var s in streams.Where(s => s.ActionType == StreamActionType.Start))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(tenant, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(s.Id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(s.AggregateTypeName ?? registry.AggregateAliasFor(s.AggregateType!), NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(s.Version, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await conn.BeginBinaryImportAsync(
                         "copy ct_staged_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, " +
                         "causation_id, headers, user_name) from stdin (format binary)", ct))
        {
            foreach (var s in streams)
            {
                foreach (var e in s.Events)
                {
                    var mapping = registry.EventMappingFor(e.EventType);
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(s.Id, NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(e.Version, NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(serializer.ToJson(e.Data), NpgsqlDbType.Jsonb, ct);
                    await writer.WriteAsync(string.IsNullOrEmpty(e.EventTypeName) ? mapping.EventTypeName : e.EventTypeName, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(e.Timestamp != default ? e.Timestamp : DateTimeOffset.UtcNow, NpgsqlDbType.TimestampTz, ct);
                    await writer.WriteAsync(string.IsNullOrEmpty(e.DotNetTypeName) ? mapping.DotNetTypeName : e.DotNetTypeName, NpgsqlDbType.Varchar, ct);
                    await WriteNullable(writer, e.CorrelationId, NpgsqlDbType.Varchar, ct);
                    await WriteNullable(writer, e.CausationId, NpgsqlDbType.Varchar, ct);
                    await WriteNullable(writer, e.Headers is null ? null : serializer.ToJson(e.Headers), NpgsqlDbType.Jsonb, ct);
                    await WriteNullable(writer, e.UserName, NpgsqlDbType.Varchar, ct);
                }
            }

            await writer.CompleteAsync(ct);
        }

        await using (var insert = new NpgsqlCommand(InsertSql, conn, tx))
        {
            insert.Parameters.AddWithValue("tenant", tenant);
            await insert.ExecuteNonQueryAsync(ct);
        }

        await using (var mark = new NpgsqlCommand($"""
                         insert into {Schema}.mt_event_progression (name, last_seq_id) values ('HighWaterMark', @seq)
                         on conflict (name) do update set last_seq_id = greatest({Schema}.mt_event_progression.last_seq_id, @seq)
                         """, conn, tx))
        {
            mark.Parameters.AddWithValue("seq", events.Max(e => e.Sequence));
            await mark.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Each stream's chain starts where the trigger would start it (the stream id for version 1, else the stored
    /// hash of the event before the batch's first), then <c>mt_chain</c> runs over the stream's events by version:
    /// a row's hash is the fold up to it, its <c>prevHash</c> the fold up to the row before.
    /// </summary>
    private string InsertSql => $"""
        set local casetracking.chain = 'set-based';
        with starts as (
          select s.stream_id,
                 case when min(s.version) <= 1 then s.stream_id::text
                      else coalesce((select p.headers ->> 'hash' from {Schema}.mt_events p
                                      where p.tenant_id = @tenant and p.stream_id = s.stream_id and p.version = min(s.version) - 1), '') end as start
            from ct_staged_events s group by s.stream_id),
        chained as (
          select s.*, st.start,
                 {Schema}.mt_chain(st.start, s.type, s.version, s.data) over (partition by s.stream_id order by s.version) as hash
            from ct_staged_events s join starts st on st.stream_id = s.stream_id)
        insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived,
                                        correlation_id, causation_id, headers, user_name)
        select c.seq_id, c.id, c.stream_id, c.version, c.data, c.type, c.timestamp, @tenant, c.mt_dotnet_type, false,
               c.correlation_id, c.causation_id,
               (case when jsonb_typeof(c.headers) = 'object' then c.headers else jsonb_build_object() end)
                 || jsonb_build_object('prevHash', coalesce(lag(c.hash) over (partition by c.stream_id order by c.version), c.start), 'hash', c.hash),
               c.user_name
          from chained c order by c.seq_id
        """;

    private static async Task Execute(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static Task WriteNullable(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, type, ct);
}
