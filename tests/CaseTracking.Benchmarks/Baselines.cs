using System.Diagnostics;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// The physical limit on this machine: raw Npgsql into a table shaped like Marten's events table (same
/// keys and indexes), one ~500-byte JSONB row per transaction, and binary COPY.
/// </summary>
public static class Baselines
{
    private const string Table = """
        drop table if exists bench_events;
        create table bench_events (
          seq_id bigserial primary key,
          id uuid not null,
          stream_id uuid not null,
          version bigint not null,
          data jsonb not null,
          type varchar(500) not null,
          timestamp timestamptz not null default now(),
          tenant_id varchar not null default '*DEFAULT*',
          mt_dotnet_type varchar,
          correlation_id varchar, causation_id varchar, user_name varchar, headers jsonb,
          is_archived bool default false,
          unique (stream_id, version)
        );
        """;

    private static readonly string Payload = "{\"reviewId\":\"" + Guid.NewGuid() + "\",\"period\":\"2026-05\",\"heldOn\":\"2026-05-20\",\"rating\":\"Good\",\"summary\":\""
        + new string('x', 330) + "\",\"loggedBy\":\"" + Guid.NewGuid() + "\"}";

    public static async Task RunAsync(BenchOptions options, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]Baselines[/] (raw Npgsql)");
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = 64 }.ConnectionString);
        await using (var cmd = source.CreateCommand(Table)) await cmd.ExecuteNonQueryAsync();
        results.Set("raw_insert_1conn_per_s", await InsertsAsync(source, 1, TimeSpan.FromSeconds(10)));
        results.Set("raw_insert_16conn_per_s", await InsertsAsync(source, 16, TimeSpan.FromSeconds(10)));
        results.Set("raw_copy_rows_per_s", await CopyAsync(source, 200_000));
        await using (var cmd = source.CreateCommand("drop table if exists bench_events")) await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<double> InsertsAsync(NpgsqlDataSource source, int connections, TimeSpan duration)
    {
        long count = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await using var conn = await source.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(
                "insert into bench_events (id, stream_id, version, data, type, mt_dotnet_type) values ($1, $2, 1, $3::jsonb, 'review_logged', 'x')", conn);
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = Payload });
            await cmd.PrepareAsync();
            while (watch.Elapsed < duration)
            {
                cmd.Parameters[0].Value = Guid.CreateVersion7();
                cmd.Parameters[1].Value = Guid.CreateVersion7();
                await cmd.ExecuteNonQueryAsync();
                Interlocked.Increment(ref count);
            }
        }));
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> CopyAsync(NpgsqlDataSource source, int rows)
    {
        await using var conn = await source.OpenConnectionAsync();
        var watch = Stopwatch.StartNew();
        await using (var writer = await conn.BeginBinaryImportAsync(
                         "copy bench_events (id, stream_id, version, data, type, mt_dotnet_type) from stdin (format binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await writer.WriteAsync(Payload, NpgsqlDbType.Jsonb);
                await writer.WriteAsync("review_logged", NpgsqlDbType.Varchar);
                await writer.WriteAsync("x", NpgsqlDbType.Varchar);
            }

            await writer.CompleteAsync();
        }

        return rows / watch.Elapsed.TotalSeconds;
    }
}
