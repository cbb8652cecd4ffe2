using CaseTracking.Hosting;
using Npgsql;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>
/// Marten's connections prepare what they run often (ADR 0010): a quarter of PostgreSQL's CPU on the write path was
/// parsing and planning the same few statements again on every request.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class statements_are_prepared(AppFixture app)
{
    private static async Task<List<string>> PreparedAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("select statement from pg_prepared_statements", connection);
        var statements = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) statements.Add(reader.GetString(0));
        return statements;
    }

    [Fact]
    public async Task a_statement_run_often_on_martens_connections_is_prepared_once()
    {
        await using var connection = app.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        var sql = $"select count(*) from {app.Schema}.mt_streams where id = @id";
        for (var i = 0; i < 6; i++)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("id", Guid.CreateVersion7());
            (await command.ExecuteScalarAsync()).ShouldBe(0L);
        }

        (await PreparedAsync(connection)).ShouldContain(s => s.Contains($"{app.Schema}.mt_streams", StringComparison.Ordinal));
    }

    [Fact]
    public void the_setting_reaches_martens_connection_string()
    {
        using var connection = app.Store.Storage.Database.CreateConnection();
        new NpgsqlConnectionStringBuilder(connection.ConnectionString).MaxAutoPrepare.ShouldBe(CaseTrackingSetup.DefaultMaxAutoPrepare);
    }
}
