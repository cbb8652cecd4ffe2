using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// The physical limit on this machine: raw Npgsql into a table shaped like Marten's events table (same
/// keys and indexes), one ~500-byte JSONB row per transaction, binary COPY, and a bare HTTP endpoint in its own process.
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

    /// <summary>One event row: what the 1- and 16-connection baselines and the bare HTTP endpoint each insert.</summary>
    private const string InsertSql = "insert into bench_events (id, stream_id, version, data, type, mt_dotnet_type) values ($1, $2, 1, $3::jsonb, 'review_logged', 'x')";

    private static readonly string Payload = "{\"reviewId\":\"" + Guid.NewGuid() + "\",\"period\":\"2026-05\",\"heldOn\":\"2026-05-20\",\"rating\":\"Good\",\"summary\":\""
        + new string('x', 330) + "\",\"loggedBy\":\"" + Guid.NewGuid() + "\"}";

    public static async Task RunAsync(BenchOptions options, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]Baselines[/] (raw Npgsql)");
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = 64 }.ConnectionString);
        await using (var cmd = source.CreateCommand(Table)) await cmd.ExecuteNonQueryAsync();
        results.Set("raw_insert_1conn_per_s", await InsertsAsync(source, 1, TimeSpan.FromSeconds(10)));
        // As many connections as the HTTP run has clients (--clients), so http_ratio compares like with like.
        results.Set("bench_clients", options.Clients);
        results.Set("raw_insert_clients_per_s", await InsertsAsync(source, options.Clients, TimeSpan.FromSeconds(10)));
        // As many writers as the seeder copies with, so seed_ratio compares like with like.
        results.Set("raw_copy_writers", Demo.Seeder.Writers);
        results.Set("raw_copy_rows_per_s", await CopyAsync(source, 200_000, Demo.Seeder.Writers));
        var (perSecond, non2xx) = await HttpInsertsAsync(options, TimeSpan.FromSeconds(20));
        results.Set("raw_http_insert_per_s", perSecond);
        results.Set("raw_http_non2xx", non2xx);
        await using (var cmd = source.CreateCommand("drop table if exists bench_events")) await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<double> InsertsAsync(NpgsqlDataSource source, int connections, TimeSpan duration)
    {
        long count = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await using var conn = await source.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(InsertSql, conn);
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

    /// <summary>The environment variable carrying the bare endpoint's token key (hex) to its process.</summary>
    private const string KeyVariable = "CASETRACKING_BENCH_BARE_KEY";

    /// <summary>
    /// The bare endpoint's own process (<c>CaseTracking.Benchmarks.dll bare-endpoint PORT</c>): Kestrel, a bearer token
    /// validated, the JSON body read, one insert committed, 201; no framework and no event store.
    /// </summary>
    public static async Task ServeBareEndpointAsync(int port)
    {
        var key = new SymmetricSecurityKey(Convert.FromHexString(Environment.GetEnvironmentVariable(KeyVariable)!));
        await using var source = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ConnectionStrings__Marten")!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddAuthentication().AddJwtBearer(o => o.TokenValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = key, ValidateIssuer = false, ValidateAudience = false
        });
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/raw", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync();
            await using var cmd = source.CreateCommand(InsertSql);
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = Guid.CreateVersion7() });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = Guid.CreateVersion7() });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = json });
            await cmd.ExecuteNonQueryAsync();
            return Results.StatusCode(StatusCodes.Status201Created);
        }).RequireAuthorization();
        app.MapGet("/health", () => Results.Ok());
        await app.RunAsync();
    }

    /// <summary>
    /// The floor of any HTTP API here, measured as the product runs: the bare endpoint in a process of its own (the same
    /// runtime settings as the app: workstation concurrent GC, TieredPGO off), the same --clients as the product's HTTP run.
    /// Only 201s count; the others are reported.
    /// </summary>
    private static async Task<(double PerSecond, long Non2xx)> HttpInsertsAsync(BenchOptions options, TimeSpan duration)
    {
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        var port = options.Port + 1;
        var start = new ProcessStartInfo("dotnet", [typeof(Baselines).Assembly.Location, "bare-endpoint", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Marten"] = options.ConnectionString,
                [KeyVariable] = Convert.ToHexString(keyBytes),
                ["DOTNET_gcServer"] = "0",
                ["DOTNET_gcConcurrent"] = "1",
                ["DOTNET_TieredPGO"] = "0"
            }
        };
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            for (var i = 0; ; i++)
            {
                if (i == 300 || process.HasExited) throw new InvalidOperationException("the bare endpoint did not start");
                try
                {
                    if ((await http.GetAsync("/health")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(100);
            }

            var key = new SymmetricSecurityKey(keyBytes);
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString())]), Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256)
            });

            async Task<bool> PostAsync()
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/raw") { Content = new StringContent(Payload, System.Text.Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request);
                return response.StatusCode == HttpStatusCode.Created;
            }

            for (var i = 0; i < 200; i++) await PostAsync();
            long count = 0, failures = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
            {
                while (watch.Elapsed < duration)
                    if (await PostAsync()) Interlocked.Increment(ref count);
                    else Interlocked.Increment(ref failures);
            }));
            return (count / watch.Elapsed.TotalSeconds, failures);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Binary COPY of <paramref name="rows"/> rows split over <paramref name="writers"/> connections at once.</summary>
    private static async Task<double> CopyAsync(NpgsqlDataSource source, int rows, int writers)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => CopyOneAsync(source, rows / writers + (w < rows % writers ? 1 : 0))));
        return rows / watch.Elapsed.TotalSeconds;
    }

    private static async Task CopyOneAsync(NpgsqlDataSource source, int rows)
    {
        await using var conn = await source.OpenConnectionAsync();
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
    }
}
