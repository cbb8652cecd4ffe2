using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Caseloads;
using CaseTracking.Statistics;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using CaseTracking.Retention;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;
using Marten.Storage;
using Wolverine.Http;

namespace CaseTracking.Cases;

public static class CasesModule
{
    public static readonly Type[] EventTypes =
    [
        typeof(CaseOpened), typeof(CaseAssigned), typeof(ReviewLogged), typeof(ProgressRecorded), typeof(ViolationRecorded),
        typeof(TermChanged), typeof(ReleaseRecommended), typeof(ReleaseRejected), typeof(ReleaseRecommendationWithdrawn), typeof(CaseReleased),
        typeof(CaseTransferred), typeof(CaseRevoked), typeof(CaseClosed)
    ];

    public const string ActiveCaseIndex = "mt_doc_casesummary_uidx_active_person_kind";


    /// <summary>The projections a full rebuild rebuilds, side by side.</summary>
    public static readonly string[] RebuildNames = [nameof(CaseSummary), nameof(CaseloadProjection), nameof(StatisticsProjection), "CaseActivity"];

    /// <summary>
    /// Rebuilds one projection of one database: the case summaries by <see cref="CaseSummaryRebuild"/>, a batch job
    /// (ADR 0014), the async projections by Marten's daemon. <paramref name="progress"/> hears the summaries' events
    /// folded so far; the daemon's projections report theirs in Marten's progress table.
    /// </summary>
    public static Task RebuildAsync(IDocumentStore store, IProjectionDaemon daemon, IMartenDatabase database, string name,
        TimeSpan timeout, Action<long>? progress, CancellationToken ct) =>
        name == nameof(CaseSummary)
            ? new CaseSummaryRebuild(store).RebuildAsync(database, progress, ct)
            : daemon.RebuildProjectionAsync(name, timeout, ct);

    public static StoreOptions ConfigureCases(this StoreOptions opts, SupervisionKinds kinds, StatisticsSettings? statistics = null)
    {
        // A bad event must stop a projection loudly, never be skipped.
        opts.Projections.Errors.SkipApplyErrors = false;
        opts.Projections.Errors.SkipSerializationErrors = false;
        opts.Projections.Errors.SkipUnknownEvents = false;
        opts.Projections.RebuildErrors.SkipApplyErrors = false;
        // A rebuild starts from nothing: the documents these projections own are deleted on teardown.
        opts.Projections.Add(new Health.EventBlamingProjection(new CaseloadProjection(kinds)), ProjectionLifecycle.Async, nameof(CaseloadProjection),
            o =>
            {
                o.BatchSize = 2000;
                o.DeleteViewTypeOnTeardown<CaseloadMember>();
            });
        var statisticsBatch = statistics?.BatchSize ?? StatisticsSettings.DefaultBatchSize;
        if (statisticsBatch is < 100 or > 100_000)
            throw new InvalidOperationException($"CaseTracking:Statistics:BatchSize is {statisticsBatch}; it must be between 100 and 100000.");
        opts.Projections.Add(new Health.EventBlamingProjection(new StatisticsProjection(kinds, statistics)), ProjectionLifecycle.Async, nameof(StatisticsProjection),
            o =>
            {
                // A page's figures are summed in memory and merged into the touched rows by one statement (ADR 0011):
                // the larger the page, the fewer row writes per event (a rebuild touches a case's rows for every month of its term).
                o.BatchSize = statisticsBatch;
                o.DeleteViewTypeOnTeardown<StatisticsMember>();
                o.DeleteViewTypeOnTeardown<StatisticsRow>();
            });

        // Reviews and violations by month per case, for the report's organisation-type lines (Reports/CaseActivity).
        opts.Projections.Add(new Reports.CaseActivityProjection(), ProjectionLifecycle.Async);
        opts.Schema.For<Reports.CaseActivity>().MultiTenanted();
        // The caseload is a group-by over the active cases' members (CaseloadQueries); ward and organisation scope them.
        opts.Schema.For<CaseloadMember>().MultiTenanted().Duplicate(x => x.WardId).Duplicate(x => x.OrganisationId);
        opts.Schema.For<StatisticsMember>().MultiTenanted();
        opts.Schema.For<StatisticsRow>().MultiTenanted().Duplicate(x => x.Month).Duplicate(x => x.WardId);
        opts.Events.AddEventTypes(EventTypes);
        // Rebuilds read larger pages of events and keep the summaries of the last pages in memory. A small cache: once
        // full, the daemon compacts it after every page by rebuilding it whole; at 20,000 that cost 15 % of the rebuild's
        // app CPU and 8 % of its wall clock, for a page touches at most 2,000 streams (docs/performance.md, issue 20).
        opts.Projections.Snapshot<CaseSummary>(SnapshotLifecycle.Inline, o =>
        {
            o.BatchSize = 2000;
            o.CacheLimitPerTenant = 1_000;
        });
        opts.Schema.For<CaseSummary>().MultiTenanted()
            // Ward (or organisation) then term end: a case list comes out of the index already in list order. With
            // single-column indexes the planner walked the whole endsOn index for a large ward (docs/performance.md).
            .Index([x => x.WardId, x => x.EndsOn], idx => idx.TenancyScope = TenancyScope.PerTenant)
            .Index([x => x.OrganisationId!, x => x.EndsOn], idx => idx.TenancyScope = TenancyScope.PerTenant)
            .Index(x => x.PersonId).Index(x => x.EndsOn)
            .Duplicate(x => x.Status).Duplicate(x => x.Kind)
            // One active case per person and kind, enforced by PostgreSQL: the inline projection writes the
            // summary in the same transaction as CaseOpened, so two concurrent openings cannot both commit.
            .Index([x => x.PersonId, x => x.Kind], idx =>
            {
                idx.Name = ActiveCaseIndex;
                idx.IsUnique = true;
                idx.TenancyScope = TenancyScope.PerTenant;
                // Written as PostgreSQL prints it back, so the schema check sees no drift.
                idx.Predicate = $"(data ->> 'status'::text) <> ALL (ARRAY[{string.Join(", ", CaseStatuses.Terminal.Select(t => $"'{t}'::text"))}])";
            });
        return opts;
    }
}

public static class KindsEndpoint
{
    [WolverineGet("/api/kinds")]
    public static IResult Get(SupervisionKinds kinds) => Results.Json(kinds.All, Json.Options);
}
