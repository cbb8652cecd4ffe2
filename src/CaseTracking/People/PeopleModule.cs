using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;

namespace CaseTracking.People;

public static class PeopleModule
{
    /// <summary>One person per national id in a province; a lost registration race is found by this name.</summary>
    public const string NationalIdIndex = "mt_doc_person_uidx_national_id";

    public static StoreOptions ConfigurePeople(this StoreOptions opts)
    {
        opts.Schema.For<Person>().MultiTenanted()
            .UniqueIndex(UniqueIndexType.Computed, NationalIdIndex, TenancyScope.PerTenant, x => x.NationalId)
            .Index(x => x.WardId);
        return opts;
    }
}
