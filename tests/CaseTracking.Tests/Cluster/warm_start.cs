using CaseTracking.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CaseTracking.Tests.Cluster;

/// <summary>
/// Issue 14's first request: the server runs a few anonymous requests through the app before it listens, and starts
/// whatever they do (fail, hang).
/// </summary>
public sealed class warm_start
{
    [Fact]
    public async Task runs_the_warm_up_requests_through_the_app_before_the_server_listens()
    {
        var log = new List<string>();
        var server = new RecordingServer(log);
        var app = new RecordingApplication(log, _ => Task.CompletedTask);

        await new WarmStart(server, NullLogger<WarmStart>.Instance).StartAsync(app, default);

        log.ShouldBe([.. WarmStart.Paths.Select(p => "GET " + p), "listening"]);
        app.Disposed.ShouldBe(WarmStart.Paths.Length, "every context is disposed, as the server does");
    }

    [Fact]
    public async Task the_requests_are_anonymous_reads_from_loopback()
    {
        var contexts = new List<HttpContext>();
        var app = new RecordingApplication([], c => { contexts.Add(c); return Task.CompletedTask; });

        await new WarmStart(new RecordingServer([]), NullLogger<WarmStart>.Instance).StartAsync(app, default);

        contexts.Count.ShouldBe(WarmStart.Paths.Length);
        contexts.ShouldAllBe(c => c.Request.Method == "GET" && c.User.Identity!.IsAuthenticated == false);
        contexts.ShouldAllBe(c => c.Request.Headers.Authorization.Count == 0 && c.Request.Headers.Cookie.Count == 0);
        contexts.ShouldAllBe(c => System.Net.IPAddress.IsLoopback(c.Connection.RemoteIpAddress!));
    }

    [Fact]
    public async Task a_failing_request_does_not_keep_the_server_from_starting()
    {
        var log = new List<string>();
        var app = new RecordingApplication(log, _ => throw new InvalidOperationException("boom"));

        await new WarmStart(new RecordingServer(log), NullLogger<WarmStart>.Instance).StartAsync(app, default);

        log.ShouldBe(["GET /health", "listening"]);
        app.Disposed.ShouldBe(1);
    }

    [Fact]
    public async Task a_request_that_never_answers_is_left_behind_after_the_budget()
    {
        var log = new List<string>();
        var never = new TaskCompletionSource();
        var app = new RecordingApplication(log, _ => never.Task);

        var start = new WarmStart(new RecordingServer(log), NullLogger<WarmStart>.Instance, TimeSpan.FromMilliseconds(200)).StartAsync(app, default);

        (await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(10)))).ShouldBe(start, "started within the budget, not after the hung request");
        log.ShouldBe(["GET /health", "listening"]);
    }

    [Fact]
    public void wraps_the_registered_server_unless_turned_off()
    {
        static IServiceCollection With(string? setting)
        {
            var services = new ServiceCollection().AddLogging().AddSingleton<IServer>(new RecordingServer([]));
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(setting is null ? [] : [new KeyValuePair<string, string?>("CaseTracking:WarmStart", setting)]).Build();
            return services.AddWarmStart(configuration);
        }

        With(null).BuildServiceProvider().GetRequiredService<IServer>().ShouldBeOfType<WarmStart>();
        With("false").BuildServiceProvider().GetRequiredService<IServer>().ShouldBeOfType<RecordingServer>();
        new ServiceCollection().AddWarmStart(new ConfigurationBuilder().Build())
            .ShouldNotContain(d => d.ServiceType == typeof(IServer), "no server registered: nothing to wrap");
    }

    private sealed class RecordingServer(List<string> log) : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
        {
            lock (log) log.Add("listening");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    private sealed class RecordingApplication(List<string> log, Func<HttpContext, Task> handle) : IHttpApplication<HttpContext>
    {
        public int Disposed { get; private set; }

        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context)
        {
            lock (log) log.Add($"{context.Request.Method} {context.Request.Path}");
            return handle(context);
        }

        public void DisposeContext(HttpContext context, Exception? exception) => Disposed++;
    }
}
