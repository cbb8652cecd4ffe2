using Marten;

namespace CaseTracking.Auditing;

public static class AuditingModule
{
    /// <summary>The access log and the daily seals of a province.</summary>
    public static StoreOptions ConfigureAuditing(this StoreOptions opts)
    {
        opts.Schema.For<Seal>().MultiTenanted();
        opts.Schema.For<AccessRecord>().MultiTenanted().Index(x => x.CaseId).Index(x => x.At);
        return opts;
    }
}
