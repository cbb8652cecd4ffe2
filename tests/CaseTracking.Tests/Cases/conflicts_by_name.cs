using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.Cases;

/// <summary>
/// <see cref="Writes"/> tells a lost race apart by the exception's type and the unique index's name, each defined
/// once: these checks fail if the framework or the schema stops matching what the code relies on.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class conflicts_by_name(AppFixture app)
{
    [Theory]
    [InlineData(PeopleModule.NationalIdIndex)]
    [InlineData(CasesModule.ActiveCaseIndex)]
    public async Task the_unique_indexes_carry_the_names_the_write_path_matches(string index)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from pg_indexes where schemaname = @s and indexname = @i", conn);
        cmd.Parameters.AddWithValue("s", app.Schema);
        cmd.Parameters.AddWithValue("i", index);
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(1, $"index {index} in schema {app.Schema}");
    }

    [Fact]
    public void a_stale_stream_append_is_a_concurrency_exception()
    {
        var staleAppend = new[] { typeof(Marten.IDocumentStore).Assembly, typeof(JasperFx.Events.IEvent).Assembly }
            .SelectMany(a => a.GetTypes()).Single(t => t.Name == "EventStreamUnexpectedMaxEventIdException");
        staleAppend.IsAssignableTo(typeof(JasperFx.ConcurrencyException)).ShouldBeTrue();
        Writes.IsConflict((Exception)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(staleAppend)).ShouldBeTrue();
    }
}
