using System.Globalization;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CaseTracking.Retention;

/// <summary>Who would be masked as of a day, and who is due but left alone (with why).</summary>
public sealed record RetentionPlan(string Tenant, DateOnly AsOf, IReadOnlyList<RetentionSubject> Due, IReadOnlyList<RetentionSkip> Skipped);

/// <summary>
/// Retention (DESIGN §5, ADR 0005): a person whose every case has ended, and whose last end lies further back than the
/// period of that case's kind, has their record masked (name, national id, address, phone) and the free-text fields of
/// their cases' events masked (<see cref="FreeText"/>). A person with any case not ended is never masked. Before
/// masking, the person's streams must verify: masking an edited event would launder it. Each masked event keeps
/// its stored hash and gains, in its headers, the digest of its masked data; the run, a chained document, attests
/// every such digest, so <see cref="HashChain"/> still verifies the stream and still names any later edit.
/// The whole run is one transaction: events, person records, corrections and the run record commit together.
/// </summary>
public sealed class RetentionJob(IDocumentStore store, Provinces.ProvinceDatabases databases, HashChain chain, RetentionSettings settings, TimeProvider time)
{
    public const string DailyActor = "system:daily-retention";

    private sealed record CaseEnd(Guid Id, Guid PersonId, SupervisionKind Kind, CaseStatus Status, DateOnly? EndedOn, DateOnly EndsOn);

    public async Task<RetentionPlan> PlanAsync(string tenant, DateOnly asOf, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenant);
        var cases = await session.Query<CaseSummary>()
            .Select(s => new { s.Id, s.PersonId, s.Kind, s.Status, s.EndedOn, s.EndsOn })
            .ToListAsync(ct);
        var masked = (await session.Query<Person>().Where(p => p.MaskedAt != null).Select(p => p.Id).ToListAsync(ct)).ToHashSet();
        var due = new List<RetentionSubject>();
        foreach (var person in cases.GroupBy(c => c.PersonId))
        {
            if (masked.Contains(person.Key)) continue;
            // Any case still running (or pending release) keeps the whole record: never masked.
            if (person.Any(c => c.Status is not (CaseStatus.Released or CaseStatus.Revoked or CaseStatus.Closed))) continue;
            var ends = person.Select(c => (Ended: c.EndedOn ?? c.EndsOn, c.Kind)).ToList();
            var dueOn = ends.Max(e => e.Ended.AddYears(settings.YearsFor(e.Kind)));
            if (dueOn <= asOf) due.Add(new RetentionSubject(person.Key, ends.Max(e => e.Ended), dueOn, person.Count()));
        }

        var skipped = new List<RetentionSkip>();
        foreach (var subject in due.ToList())
        {
            foreach (var c in cases.Where(c => c.PersonId == subject.PersonId))
            {
                var check = await chain.VerifyAsync(tenant, c.Id, ct);
                if (check.Valid) continue;
                skipped.Add(new RetentionSkip(subject.PersonId, $"case {c.Id} fails verification at version {check.FirstBrokenVersion}: investigate before masking"));
                due.Remove(subject);
                break;
            }
        }

        return new RetentionPlan(tenant, asOf, [.. due.OrderBy(d => d.DueOn).ThenBy(d => d.PersonId)], skipped);
    }

    /// <summary>Masks what is due as of <paramref name="asOf"/> and records the run; <paramref name="by"/> names who ran it.</summary>
    public async Task<RetentionRun> RunAsync(string tenant, DateOnly asOf, string by, CancellationToken ct)
    {
        var plan = await PlanAsync(tenant, asOf, ct);
        var people = plan.Due.Take(Math.Max(1, settings.MaxPeoplePerRun)).ToList();
        var now = time.GetUtcNow();
        var run = new RetentionRun { Id = Guid.CreateVersion7(), At = now, By = by, AsOf = asOf, People = people, Skipped = [.. plan.Skipped] };
        var personIds = people.Select(p => p.PersonId).ToArray();

        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var options = Marten.Services.SessionOptions.ForTransaction(tx);
        options.TenantId = tenant;
        await using var session = store.LightweightSession(options);

        if (personIds.Length > 0)
        {
            var streams = (await session.Query<CaseSummary>().Where(s => personIds.Contains(s.PersonId)).Select(s => s.Id).ToListAsync(ct)).ToArray();
            foreach (var (type, fields) in FreeText.Fields)
                run.Anchors.AddRange(await MaskEventsAsync(conn, tx, tenant, streams, EventTypeName(type),
                    fields, run.Id, now, ct));

            // The one copy of free text a summary holds (an open recommendation's note) goes too.
            await using (var summaries = new NpgsqlCommand($"""
                update {DocumentChain.TableOf(store, typeof(CaseSummary))}
                   set data = data || jsonb_build_object('pendingNote', null)
                 where tenant_id = @tenant and id = any(@ids) and data ->> 'pendingNote' is not null
                """, conn, tx))
            {
                summaries.Parameters.AddWithValue("tenant", tenant);
                summaries.Parameters.AddWithValue("ids", streams);
                await summaries.ExecuteNonQueryAsync(ct);
            }

            foreach (var person in await session.LoadManyAsync<Person>(ct, personIds))
            {
                person.FullName = FreeText.Marker;
                // The national id stays unique per province (an index says so), and says nothing of the person.
                person.NationalId = FreeText.Marker + person.Id.ToString("N");
                person.Address = FreeText.Marker;
                person.Phone = null;
                person.MaskedAt = now;
                person.MaskedByRun = run.Id;
                session.Store(person);
            }

            foreach (var correction in await session.Query<PersonCorrection>().Where(c => personIds.Contains(c.PersonId)).ToListAsync(ct))
            {
                correction.Reason = FreeText.Marker;
                correction.Changes = [.. correction.Changes.Select(c => c with { Old = FreeText.Marker, New = FreeText.Marker })];
                session.Store(correction);
            }
        }

        run.MaskedEvents = run.Anchors.Count;
        session.Insert(run);
        await session.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return run;
    }

    /// <summary>
    /// The type name Marten stores for an event by default: the class name in snake case (<c>review_logged</c>).
    /// Marten 9 keeps its event graph internal; tests/.../Retention compare these names with the stored ones.
    /// </summary>
    public static string EventTypeName(Type type) =>
        string.Concat(type.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private async Task<List<MaskAnchor>> MaskEventsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string tenant, Guid[] streams,
        string type, string[] fields, Guid runId, DateTimeOffset at, CancellationToken ct)
    {
        // Only fields the event holds are replaced; the digest is of the data exactly as stored after masking.
        const string masked = "(e.data || coalesce((select jsonb_object_agg(f, to_jsonb(@marker)) from unnest(@fields) f where e.data -> f is not null), '{}'::jsonb))";
        await using var cmd = new NpgsqlCommand($"""
            update {store.Options.Events.DatabaseSchemaName}.mt_events e
               set data = {masked},
                   headers = (case when jsonb_typeof(e.headers) = 'object' then e.headers else jsonb_build_object() end)
                     || jsonb_build_object('masked', jsonb_build_object('run', @run, 'at', @at, 'fields', to_jsonb(@fields),
                          'dataDigest', encode(sha256(convert_to({masked}::text, 'UTF8')), 'hex')))
             where e.tenant_id = @tenant and e.stream_id = any(@streams) and e.type = @type and e.headers -> 'masked' is null
            returning e.stream_id, e.version, e.headers ->> 'hash', e.headers -> 'masked' ->> 'dataDigest'
            """, conn, tx) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("marker", NpgsqlDbType.Text, FreeText.Marker);
        cmd.Parameters.AddWithValue("fields", NpgsqlDbType.Array | NpgsqlDbType.Text, fields);
        cmd.Parameters.AddWithValue("run", NpgsqlDbType.Text, runId.ToString());
        cmd.Parameters.AddWithValue("at", NpgsqlDbType.Text, at.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("tenant", tenant);
        cmd.Parameters.AddWithValue("streams", streams);
        cmd.Parameters.AddWithValue("type", type);
        var anchors = new List<MaskAnchor>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            anchors.Add(new MaskAnchor(reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetString(3)));
        return anchors;
    }
}
