using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace CaseTracking.Hosting;

/// <summary>
/// The web server, warmed before it listens (issue 14, <c>first_request_ms</c>): a few anonymous, read-only requests go
/// through the whole pipeline in memory (exception handler, localization, compression, routing, authentication, a
/// Wolverine endpoint, a Razor page, a 401 problem) so that the code they run is compiled before the first user's
/// request, not while it waits. No request reads or writes a case or a person: nothing is appended, nothing audited
/// (the sign-in page reads the cookie key ring, as any first visitor's would).
/// Failures only log; a slow warm-up is cut at <see cref="DefaultBudget"/>, and the server starts regardless.
/// </summary>
public sealed class WarmStart(IServer inner, ILogger<WarmStart> logger, TimeSpan? budget = null) : IServer
{
    /// <summary>The requests run before the port opens: liveness, the sign-in page, and an API answer refused for want of a token.</summary>
    public static readonly string[] Paths = ["/health", "/login", "/api/cases"];

    /// <summary>How long the warm-up may delay the start (a database that does not answer, say).</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _budget = budget ?? DefaultBudget;

    public IFeatureCollection Features => inner.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var watch = Stopwatch.StartNew();
        var answers = new ConcurrentQueue<string>();
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cut.CancelAfter(_budget);
        try
        {
            // WaitAsync as well as the token: a request blocked where the token does not reach (a key ring read from an
            // unreachable database) is left behind, and the server starts.
            await WarmAsync(application, answers, cut.Token).WaitAsync(_budget, cancellationToken);
            logger.LogDebug("Warmed in {Elapsed} ms: {Answers}", watch.ElapsedMilliseconds, string.Join(", ", answers));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "The warm-up stopped after {Elapsed} ms ({Answers}); the server starts cold", watch.ElapsedMilliseconds,
                string.Join(", ", answers));
        }

        await inner.StartAsync(application, cancellationToken);
    }

    private static async Task WarmAsync<TContext>(IHttpApplication<TContext> application, ConcurrentQueue<string> answers, CancellationToken ct)
        where TContext : notnull
    {
        foreach (var path in Paths)
        {
            ct.ThrowIfCancellationRequested();
            answers.Enqueue($"{path} {await RequestAsync(application, path, ct)}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose() => inner.Dispose();

    private static async Task<int> RequestAsync<TContext>(IHttpApplication<TContext> application, string path, CancellationToken ct)
        where TContext : notnull
    {
        var features = new FeatureCollection();
        var request = new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Scheme = "http",
            Protocol = "HTTP/1.1",
            Path = path,
            Headers = new HeaderDictionary { ["Host"] = "localhost", ["Accept"] = "text/html,application/json", ["Accept-Encoding"] = "gzip, br" }
        };
        var response = new HttpResponseFeature();
        var body = new StreamResponseBodyFeature(Stream.Null);
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(body);
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "warm-start", RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback, RemotePort = 1, LocalPort = 1
        });
        var lifetime = new HttpRequestLifetimeFeature { RequestAborted = ct };
        features.Set<IHttpRequestLifetimeFeature>(lifetime);
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature());

        var context = application.CreateContext(features);
        try
        {
            await application.ProcessRequestAsync(context);
            await body.CompleteAsync();
            application.DisposeContext(context, null);
            return response.StatusCode;
        }
        catch (Exception e)
        {
            application.DisposeContext(context, e);
            throw;
        }
    }
}

public static class WarmStartSetup
{
    /// <summary>
    /// Wraps the registered server (Kestrel) in <see cref="WarmStart"/>. A host that replaces the server afterwards (the
    /// tests' in-memory server) is left as it is. <c>CaseTracking:WarmStart=false</c> turns it off (the benchmark's
    /// A/B arm).
    /// </summary>
    public static IServiceCollection AddWarmStart(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue("CaseTracking:WarmStart", true)) return services;
        var server = services.LastOrDefault(d => d.ServiceType == typeof(IServer));
        if (server is null) return services;
        services.Remove(server);
        services.AddSingleton<IServer>(sp => new WarmStart(Create(sp, server), sp.GetRequiredService<ILogger<WarmStart>>()));
        return services;
    }

    private static IServer Create(IServiceProvider sp, ServiceDescriptor server) =>
        (IServer)(server.ImplementationInstance
                  ?? server.ImplementationFactory?.Invoke(sp)
                  ?? ActivatorUtilities.CreateInstance(sp, server.ImplementationType!));
}
