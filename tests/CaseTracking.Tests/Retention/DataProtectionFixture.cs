using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.Retention;

/// <summary>
/// A host of its own for the tests that move the clock years ahead, run the province-wide retention job, or tamper
/// with the province's chained logs: none of that may reach the cases of the shared host.
/// </summary>
public sealed class DataProtectionFixture : AppFixture
{
    public string SealFilePath { get; } = Path.Combine(Path.GetTempPath(), "casetracking-tests", $"seals-{Guid.NewGuid():N}.txt");

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["CaseTracking:SealFile"] = SealFilePath,
        // The tests run the job themselves, at the time they choose.
        ["CaseTracking:Retention:Daily"] = "false"
    };

    public async Task<int> Sql(string sql, Guid? id = null)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql.Replace("{schema}", Schema), conn);
        if (id is { } value) cmd.Parameters.AddWithValue("id", value);
        return await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T?> Scalar<T>(string sql, Guid? id = null)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql.Replace("{schema}", Schema), conn);
        if (id is { } value) cmd.Parameters.AddWithValue("id", value);
        var result = await cmd.ExecuteScalarAsync();
        return result is DBNull or null ? default : (T)result;
    }
}

[CollectionDefinition(Name)]
public sealed class DataProtectionCollection : ICollectionFixture<DataProtectionFixture>
{
    public const string Name = "data-protection";
}
