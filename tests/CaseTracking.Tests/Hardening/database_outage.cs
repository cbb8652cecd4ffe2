using System.Net;
using System.Net.Sockets;
using Alba;
using CaseTracking.Tests.Infrastructure;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace CaseTracking.Tests.Hardening;

/// <summary>
/// PostgreSQL going away under a running app: a real TCP path between the app and the server that the test cuts.
/// Every request then answers 503 with Retry-After and a stable code (the API) or a friendly page (the UI), never 500.
/// </summary>
public sealed class database_outage : IAsyncLifetime
{
    private readonly string schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private readonly TestClock clock = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.FromHours(7)));
    private TcpCut cut = null!;
    private IAlbaHost host = null!;

    public async Task InitializeAsync()
    {
        var real = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        cut = new TcpCut(real.Host!, real.Port);
        var throughCut = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString)
        {
            Host = "127.0.0.1", Port = cut.Port, Timeout = 3, CommandTimeout = 5
        }.ConnectionString;
        JasperFxEnvironment.AutoStartHost = true;
        host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Marten", throughCut);
            builder.UseSetting("CaseTracking:Schema", schema);
            builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
            builder.UseSetting("CaseTracking:SealDaily", "false");
            builder.UseSetting("CaseTracking:UserCacheSeconds", "0");
            builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", schema));
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(clock);
            });
        });
    }

    public async Task DisposeAsync()
    {
        cut.Restore();
        await host.DisposeAsync();
        cut.Dispose();
        await TestDatabase.DropSchemaAsync(schema);
    }

    [Fact]
    public async Task the_api_and_the_pages_answer_503_with_retry_after_while_postgresql_is_unreachable_then_recover()
    {
        var token = await Api.TokenAsync(host, "admin", TestData.AdminPassword);
        var api = new Api(host, token);
        (await api.Get("/api/admin/wards")).Status.ShouldBe(200);

        cut.Sever();
        var statuses = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            var read = await api.Get("/api/admin/wards");
            statuses.Add(read.Status);
            read.Status.ShouldBe(503, read.ToString());
            read.Code.ShouldBe("service.unavailable");
            read.Raw.Headers.RetryAfter.ShouldNotBeNull();
        }

        var write = await api.Post("/api/admin/wards", new { code = "X1", name = "Phường 1" });
        write.Status.ShouldBe(503, write.ToString());
        var signIn = await new Api(host, null).Post("/api/auth/token", new { username = "admin", password = TestData.AdminPassword });
        signIn.Status.ShouldBe(503, signIn.ToString());

        // A page (the bearer token stands in for the cookie): the friendly error page, in Vietnamese, with the same status.
        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Authorization = api.Authorization;
        var page = await client.SendAsync(request);
        var html = await page.Content.ReadAsStringAsync();
        ((int)page.StatusCode).ShouldBe(503, html);
        html.ShouldContain("tạm thời gián đoạn");
        page.Headers.RetryAfter.ShouldNotBeNull();
        var ready = await new Api(host, null).Get("/health/ready");
        ready.Status.ShouldBe(503);

        cut.Restore();
        ApiResponse back = null!;
        for (var i = 0; i < 20; i++)
        {
            back = await api.Get("/api/admin/wards");
            if (back.Status == 200) break;
            await Task.Delay(500);
        }

        back.Status.ShouldBe(200, "the pool reconnects once PostgreSQL is back");
    }

    /// <summary>A TCP relay to PostgreSQL the test can cut (closing every connection, refusing new ones) and restore.</summary>
    private sealed class TcpCut : IDisposable
    {
        private readonly string upstreamHost;
        private readonly int upstreamPort;
        private readonly List<Socket> open = [];
        private TcpListener? listener;
        private CancellationTokenSource stop = new();

        public int Port { get; }

        public TcpCut(string upstreamHost, int upstreamPort)
        {
            (this.upstreamHost, this.upstreamPort) = (upstreamHost, upstreamPort);
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Restore();
        }

        public void Restore()
        {
            if (listener is not null) return;
            stop = new CancellationTokenSource();
            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _ = AcceptAsync(listener, stop.Token);
        }

        public void Sever()
        {
            stop.Cancel();
            listener?.Stop();
            listener = null;
            lock (open)
            {
                foreach (var s in open) s.Dispose();
                open.Clear();
            }
        }

        private async Task AcceptAsync(TcpListener l, CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                Socket client;
                try { client = await l.AcceptSocketAsync(ct); }
                catch (Exception) { return; }
                var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try { await upstream.ConnectAsync(upstreamHost == "localhost" ? "127.0.0.1" : upstreamHost, upstreamPort, ct); }
                catch (Exception) { client.Dispose(); upstream.Dispose(); continue; }
                lock (open) { open.Add(client); open.Add(upstream); }
                _ = Pump(client, upstream, ct);
                _ = Pump(upstream, client, ct);
            }
        }

        private static async Task Pump(Socket from, Socket to, CancellationToken ct)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                    if (n == 0) break;
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                }
            }
            catch (Exception)
            {
                // The cut closed the sockets: that is the point.
            }

            from.Dispose();
            to.Dispose();
        }

        public void Dispose() => Sever();
    }
}
