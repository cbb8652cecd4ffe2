using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using Marten;
using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Retention;

public static class RetentionModule
{
    /// <summary>The documents of data protection: corrections of person records and the (chained) retention runs.</summary>
    public static StoreOptions ConfigureDataProtection(this StoreOptions opts)
    {
        opts.Schema.For<PersonCorrection>().MultiTenanted().Index(x => x.PersonId);
        opts.Schema.For<RetentionRun>().MultiTenanted();
        return opts;
    }

    public static IServiceCollection AddDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("CaseTracking:Retention").Get<RetentionSettings>() ?? new RetentionSettings());
        services.AddSingleton<DocumentChain>();
        services.AddSingleton<SealFile>();
        services.AddSingleton<RetentionJob>();
        services.AddHostedService<DailyRetentionService>();
        return services;
    }
}

/// <summary>The retention job once a day per province (<c>CaseTracking:Retention:Daily</c>, default on), recorded like any run.</summary>
public sealed class DailyRetentionService(RetentionJob job, RetentionSettings settings, IDocumentStore store,
    Provinces.ProvinceDatabases databases, TimeProvider time,
    ILogger<DailyRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Daily) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(e, "Retention run skipped: database unreachable");
            }

            await Task.Delay(TimeSpan.FromHours(1), time, stoppingToken);
        }
    }

    /// <summary>Every province not yet run today (UTC) by the daily job.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var startOfDay = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var endOfDay = startOfDay.AddDays(1);
        // Every province, in whichever database it lives.
        var tenants = await databases.ProvincesWithStreamsAsync(ct);
        foreach (var tenant in tenants)
        {
            await using var tenantSession = store.QuerySession(tenant);
            if (await tenantSession.Query<RetentionRun>().AnyAsync(r => r.By == RetentionJob.DailyActor && r.At >= startOfDay && r.At < endOfDay, ct)) continue;
            var run = await job.RunAsync(tenant, today, RetentionJob.DailyActor, ct);
            logger.LogInformation("Retention {Tenant} as of {Day}: {People} people masked, {Events} events, {Skipped} skipped",
                tenant, today, run.People.Count, run.MaskedEvents, run.Skipped.Count);
        }
    }
}

public sealed record RetentionRunRow(Guid Id, DateTimeOffset At, string By, DateOnly AsOf, int People, int MaskedEvents, int Skipped,
    IReadOnlyList<RetentionSubject> Subjects, IReadOnlyList<RetentionSkip> SkippedPeople, long? ChainSeq, string? Hash);

public static class RetentionEndpoints
{
    /// <summary>The retention runs of the province, newest first: who ran them, when, whom they masked.</summary>
    [WolverineGet("/api/audit/retention")]
    public static Task<IResult> Runs(int? page, int? pageSize, HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Auditor], async (_, session) =>
        {
            if (QueryValues.Page(page) is { } bad) return bad;
            var size = Math.Clamp(pageSize ?? 50, 1, 500);
            var runs = await session.Query<RetentionRun>().OrderByDescending(r => r.At).Skip(((page ?? 1) - 1) * size).Take(size)
                .ToListAsync(http.RequestAborted);
            return Results.Json(runs.Select(Row), Json.Options);
        });

    public static RetentionRunRow Row(RetentionRun r) =>
        new(r.Id, r.At, r.By, r.AsOf, r.People.Count, r.MaskedEvents, r.Skipped.Count, r.People, r.Skipped, r.ChainSeq, r.Hash);
}
