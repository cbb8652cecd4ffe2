using CaseTracking.Auditing;
using CaseTracking.Tests.Infrastructure;
using CaseTracking.Tests.Retention;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Auditing;

/// <summary>The access log's chain and the seal file, in a host of their own: these tests tamper with the province's logs.</summary>
[Collection(DataProtectionCollection.Name)]
public sealed class evidence_outside_the_database(DataProtectionFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private DocumentChain Chains => app.Host.Services.GetRequiredService<DocumentChain>();

    [Fact]
    public async Task the_access_log_chain_detects_an_edited_row()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        for (var i = 0; i < 3; i++) (await p.ReviewerA.Api.Get($"/api/cases/{caseId}/history")).Status.ShouldBe(200);
        var intact = await p.Auditor.Api.Get("/api/audit/access/verify");
        intact.Status.ShouldBe(200);
        intact.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(intact.ToString());
        intact.Body.GetProperty("entries").GetInt64().ShouldBeGreaterThanOrEqualTo(3);

        var row = await app.Scalar<Guid>("select id from {schema}.mt_doc_accessrecord where (data ->> 'caseId')::uuid = @id order by id limit 1 offset 1", caseId);
        var seq = await app.Scalar<string>("select data ->> 'chainSeq' from {schema}.mt_doc_accessrecord where id = @id", row);
        var original = await app.Scalar<string>("select data::text from {schema}.mt_doc_accessrecord where id = @id", row);
        try
        {
            // Someone hides who read the case.
            await app.Sql("update {schema}.mt_doc_accessrecord set data = jsonb_set(data, '{username}', '\"someone-else\"') where id = @id", row);
            var edited = await p.Auditor.Api.Get("/api/audit/access/verify");
            edited.Body.GetProperty("valid").GetBoolean().ShouldBeFalse();
            edited.Body.GetProperty("firstBrokenSeq").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(seq);
        }
        finally
        {
            await app.Sql($"update {{schema}}.mt_doc_accessrecord set data = '{original!.Replace("'", "''")}'::jsonb where id = @id", row);
        }

        (await Chains.VerifyAsync(DocumentChain.Access, "demo", default)).Valid.ShouldBeTrue("restored");

        // A deleted newest row leaves a perfect chain behind: the stored head names it.
        var last = await app.Scalar<Guid>("select id from {schema}.mt_doc_accessrecord where tenant_id = 'demo' order by (data ->> 'chainSeq')::bigint desc limit 1");
        var lastRow = await app.Scalar<string>("select data::text from {schema}.mt_doc_accessrecord where id = @id", last);
        await app.Sql("alter table {schema}.mt_doc_accessrecord disable trigger user; ");
        try
        {
            await app.Sql("delete from {schema}.mt_doc_accessrecord where id = @id", last);
            (await Chains.VerifyAsync(DocumentChain.Access, "demo", default)).Valid.ShouldBeFalse();
            await app.Sql($"insert into {{schema}}.mt_doc_accessrecord (id, tenant_id, data, mt_dotnet_type) values (@id, 'demo', '{lastRow!.Replace("'", "''")}'::jsonb, 'CaseTracking.Auditing.AccessRecord')", last);
        }
        finally
        {
            await app.Sql("alter table {schema}.mt_doc_accessrecord enable trigger user; ");
        }

        (await Chains.VerifyAsync(DocumentChain.Access, "demo", default)).Valid.ShouldBeTrue("restored");
    }

    [Fact]
    public async Task a_read_of_a_person_and_the_operators_export_are_chained_entries()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        await using (var session = app.Store.LightweightSession("demo"))
        {
            session.Insert(AccessRecord.ByOperator(DateTimeOffset.UtcNow, "Export", caseId));
            await session.SaveChangesAsync();
        }

        var log = await p.Auditor.Api.Get($"/api/audit/access?caseId={caseId}");
        var entry = log.Body.EnumerateArray().Single(r => r.GetProperty("what").GetString() == "Export");
        entry.GetProperty("username").GetString()!.ShouldStartWith("cli:");
        entry.GetProperty("hash").GetString()!.Length.ShouldBe(64);
        entry.GetProperty("chainSeq").GetInt64().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task verify_against_the_seal_file_detects_a_rewrite_of_events_hashes_and_seal_together()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        foreach (var period in new[] { "2026-02", "2026-03", "2026-04" })
            (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(period))).Status.ShouldBe(201);
        (await p.Auditor.Api.Get($"/api/cases/{caseId}/history")).Status.ShouldBe(200);
        var seals = app.Host.Services.GetRequiredService<Seals>();
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var seal = await seals.SealAsync("demo", day, default);
        seal.Chains.ShouldContainKey(DocumentChain.Access);
        var lines = SealFile.Read(app.SealFilePath, "demo");
        lines.ShouldContain(l => l.Day == day && l.Digest == seal.Digest);
        (await SealFile.CheckAsync(seals, app.Store, "demo", app.SealFilePath, default)).ShouldBeEmpty();

        // The attacker edits review 4, recomputes every later hash, and rewrites the seal (heads and digest) to match.
        await app.Sql("update {schema}.mt_events set data = jsonb_set(data, '{rating}', '\"Poor\"'::jsonb) where stream_id = @id and version = 4", caseId);
        await app.Sql($$"""
            do $$
            declare r record; prev text;
            begin
              for r in select version, type, data::text as body from {schema}.mt_events where stream_id = '{{caseId}}' order by version loop
                if r.version = 1 then prev := '{{caseId}}'; end if;
                update {schema}.mt_events set headers = headers || jsonb_build_object('prevHash', prev,
                    'hash', encode(sha256(convert_to(prev || r.type || r.version::text || r.body, 'UTF8')), 'hex'))
                 where stream_id = '{{caseId}}' and version = r.version returning headers ->> 'hash' into prev;
              end loop;
            end
            $$;
            """);
        var chain = app.Host.Services.GetRequiredService<HashChain>();
        (await chain.VerifyAsync("demo", caseId, default)).Valid.ShouldBeTrue("the rewritten chain is perfect in itself");
        await using (var session = app.Store.LightweightSession("demo"))
        {
            var stored = (await session.LoadAsync<Seal>(seal.Id))!;
            var head = await app.Scalar<string>("select headers ->> 'hash' from {schema}.mt_events where stream_id = @id and version = 5", caseId);
            stored.Heads[caseId] = new StreamHead(5, head!);
            stored.Digest = stored.DigestOfContent();
            session.Store(stored);
            await session.SaveChangesAsync();
        }

        (await seals.CheckAsync("demo", day, default)).Valid.ShouldBeTrue("the rewritten seal agrees with the rewritten events");
        var problems = await SealFile.CheckAsync(seals, app.Store, "demo", app.SealFilePath, default);
        problems.ShouldContain(x => x.Contains("differs from the file", StringComparison.Ordinal), string.Join("\n", problems));
    }
}
